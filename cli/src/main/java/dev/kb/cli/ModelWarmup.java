package dev.kb.cli;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads the annotations picocli is about to read, on a second thread, while the first one runs
 * picocli's own class initialisation (its converters, its help machinery: ~20 ms).
 *
 * <p>The JVM makes a proxy class for each annotation type the first time one is read (seven
 * here, a few milliseconds each: the JDK 17 class-data archive cannot keep them), and caches what
 * it parsed on the class and on each field and method. Picocli finds it all parsed when it gets
 * there. Nothing here changes what picocli builds; if this thread is late, the two share the work.
 */
final class ModelWarmup {
    private ModelWarmup() {
    }

    static void start(Class<?>... commands) {
        start(() -> { }, commands);
    }

    /** The same, then {@code then} on the same thread (more warming up, once the models are read). */
    static void start(Runnable then, Class<?>... commands) {
        Thread t = new Thread(() -> {
            read(commands);
            then.run();
        }, "kb-model-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static void read(Class<?>[] commands) {
        Deque<Class<?>> todo = new ArrayDeque<>(java.util.List.of(commands));
        todo.addFirst(KbCommand.class);
        Set<Class<?>> seen = new HashSet<>();
        try {
            todo.add(Class.forName("picocli.CommandLine$AutoHelpMixin")); // every command's --help, --version
            while (!todo.isEmpty()) {
                for (Class<?> c = todo.poll(); c != null && c != Object.class && seen.add(c); c = c.getSuperclass()) {
                    c.getDeclaredAnnotations();
                    for (Field f : c.getDeclaredFields()) {
                        touch(f);
                        if (f.isAnnotationPresent(picocli.CommandLine.Mixin.class)
                                || f.isAnnotationPresent(picocli.CommandLine.ArgGroup.class)) {
                            todo.add(f.getType());
                        }
                    }
                    for (Method m : c.getDeclaredMethods()) {
                        touch(m);
                    }
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // picocli reads them itself, and reports what is wrong with them
        }
    }

    private static void touch(AnnotatedElement e) {
        e.getDeclaredAnnotations();
    }
}
