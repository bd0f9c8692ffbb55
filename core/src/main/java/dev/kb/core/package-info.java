/** kb core library. */
package dev.kb.core;
