package dev.kb.core.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * PageIndex Cloud as the spec describes it: checks the {@code api_key} header (401 otherwise),
 * serves exactly the three documented paths and query strings (400 for anything else), answers
 * tree/OCR with {@code status: processing} and no result while a document is processing, and
 * records every request. Faults (429, 503, redirects, garbage) can be queued per endpoint.
 */
final class FakePageIndex extends Dispatcher {
    static final String KEY = "piTestKeySECRET7f3a9c";
    static final ObjectMapper JSON = new ObjectMapper();

    enum Endpoint { METADATA, TREE, OCR }

    /** One stored document; {@code statuses} are handed out one per metadata request, the last one sticks. */
    static final class Doc {
        final ObjectNode metadata;
        final Deque<String> statuses = new ArrayDeque<>();
        String status = "completed";
        ObjectNode tree;
        ObjectNode ocr;
        /** Tree requests that still say processing although the metadata says completed. */
        int treeNotReady;

        Doc(ObjectNode metadata, ObjectNode tree, ObjectNode ocr) {
            this.metadata = metadata;
            this.tree = tree;
            this.ocr = ocr;
        }

        Doc statuses(String... script) {
            statuses.clear();
            statuses.addAll(List.of(script));
            return this;
        }
    }

    final Map<String, Doc> docs = new ConcurrentHashMap<>();
    final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<Endpoint, Deque<MockResponse>> faults = new ConcurrentHashMap<>();

    void fault(Endpoint endpoint, MockResponse response) {
        faults.computeIfAbsent(endpoint, e -> new ArrayDeque<>()).add(response);
    }

    List<String> paths() {
        synchronized (requests) {
            return requests.stream().map(RecordedRequest::getPath).toList();
        }
    }

    long count(Endpoint endpoint) {
        synchronized (requests) {
            return requests.stream().filter(r -> endpointOf(r.getRequestUrl()) == endpoint).count();
        }
    }

    /** How long every answer takes to start (a slow service); zero by default. */
    volatile long answerDelayMillis;
    /** Run as each request arrives, e.g. to move a fake clock on by the service's latency. */
    volatile Runnable onRequest = () -> { };

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        onRequest.run();
        MockResponse r = answer(request);
        return answerDelayMillis > 0 ? r.setHeadersDelay(answerDelayMillis, java.util.concurrent.TimeUnit.MILLISECONDS) : r;
    }

    private MockResponse answer(RecordedRequest request) {
        requests.add(request);
        if (!"GET".equals(request.getMethod())) {
            return error(405, "METHOD_NOT_ALLOWED", "only GET");
        }
        if (request.getHeader("Authorization") != null) {
            return error(400, "INVALID_INPUT", "send the key as api_key, not Authorization");
        }
        if (!KEY.equals(request.getHeader("api_key"))) {
            return error(401, "UNAUTHORIZED", "Invalid API key");
        }
        HttpUrl url = request.getRequestUrl();
        Endpoint endpoint = endpointOf(url);
        if (endpoint == null) {
            return error(400, "INVALID_INPUT", "unsupported path or query: " + request.getPath());
        }
        Doc doc = docs.get(url.pathSegments().get(1));
        if (doc == null) {
            return error(404, "NOT_FOUND", "Document not found");
        }
        Deque<MockResponse> queued = faults.get(endpoint);
        MockResponse fault = queued == null ? null : queued.poll();
        if (fault != null) {
            return fault;
        }
        String id = doc.metadata.get("id").asText();
        switch (endpoint) {
            case METADATA -> {
                if (!doc.statuses.isEmpty()) {
                    doc.status = doc.statuses.poll();
                }
                return json(doc.metadata.deepCopy().put("status", doc.status));
            }
            case TREE -> {
                if (!doc.status.equals("completed") || doc.treeNotReady > 0) {
                    doc.treeNotReady = Math.max(0, doc.treeNotReady - 1);
                    return json(JSON.createObjectNode().put("doc_id", id).put("status", "processing")
                            .put("retrieval_ready", false));
                }
                return json(doc.tree);
            }
            default -> {
                if (!doc.status.equals("completed")) {
                    return json(JSON.createObjectNode().put("doc_id", id).put("status", doc.status));
                }
                return json(doc.ocr);
            }
        }
    }

    /** Exactly the documented paths (with trailing slash) and query parameters, nothing extra. */
    static Endpoint endpointOf(HttpUrl url) {
        List<String> seg = url.encodedPathSegments();
        if (seg.size() == 4 && seg.get(0).equals("doc") && seg.get(2).equals("metadata") && seg.get(3).isEmpty()
                && url.query() == null) {
            return Endpoint.METADATA;
        }
        if (seg.size() == 3 && seg.get(0).equals("doc") && seg.get(2).isEmpty()) {
            if (hasExactly(url, Map.of("type", "tree", "summary", "true"))) {
                return Endpoint.TREE;
            }
            if (hasExactly(url, Map.of("type", "ocr", "format", "page"))) {
                return Endpoint.OCR;
            }
        }
        return null;
    }

    private static boolean hasExactly(HttpUrl url, Map<String, String> params) {
        Set<String> names = url.queryParameterNames();
        return names.equals(params.keySet()) && params.entrySet().stream()
                .allMatch(e -> url.queryParameterValues(e.getKey()).equals(List.of(e.getValue())));
    }

    static MockResponse json(JsonNode body) {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(body.toString());
    }

    static MockResponse error(int code, String errorCode, String message) {
        ObjectNode body = JSON.createObjectNode().put("error", message).put("errorCode", errorCode);
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(body.toString());
    }

    // ---- documents ----

    /**
     * "Annual Report.pdf", {@code pages} pages, a tree of Introduction (1), Methods (3) with Data (3)
     * and Analysis (5), Results (7). Pages are served in reverse order to check sorting.
     */
    static Doc standard(String id, int pages) {
        ObjectNode metadata = JSON.createObjectNode().put("id", id).put("name", "Annual Report.pdf")
                .put("description", "The annual report.").put("createdAt", "2025-03-01T10:00:00Z")
                .put("pageNum", pages).put("folderId", "f-1");
        ArrayNode tree = JSON.createArrayNode();
        tree.add(node("Introduction", "0001", 1, "Why we wrote this."));
        ObjectNode methods = node("Methods", "0002", 3, "How.");
        methods.putArray("nodes").add(node("Data", "0003", 3, null)).add(node("Analysis", "0004", 5, null));
        tree.add(methods);
        tree.add(node("Results", "0005", 7, "What we found."));
        ObjectNode treeBody = JSON.createObjectNode().put("doc_id", id).put("status", "completed")
                .put("retrieval_ready", true);
        treeBody.set("result", tree);
        ArrayNode pageArray = JSON.createArrayNode();
        for (int i = pages; i >= 1; i--) {
            pageArray.addObject().put("page_index", i).put("markdown", "Text of page " + i + ".\n").putArray("images");
        }
        ObjectNode ocrBody = JSON.createObjectNode().put("doc_id", id).put("status", "completed")
                .put("retrieval_ready", true);
        ocrBody.set("result", pageArray);
        return new Doc(metadata, treeBody, ocrBody);
    }

    static ObjectNode node(String title, String nodeId, int page, String summary) {
        ObjectNode n = JSON.createObjectNode().put("title", title).put("node_id", nodeId).put("page_index", page);
        if (summary != null) {
            n.put("summary", summary);
        }
        return n;
    }
}
