// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.proto;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;

/**
 * Bounded JSON (RFC 8259; RFC 8620 §8.4 and HOSTILE.md A62): depth, string and number length are
 * capped by Jackson's StreamReadConstraints, duplicate keys are refused (RFC 7493 I-JSON §2.3), and
 * numbers are never turned into BigDecimal, so "1e999999" cannot blow up.
 */
public final class Json {
    private final ObjectMapper mapper;

    public Json(JmapLimits limits) {
        StreamReadConstraints read = StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxJsonDepth())
                .maxStringLength(limits.maxStringLength())
                .maxNumberLength(limits.maxNumberLength())
                .maxNameLength(10_000)
                .maxDocumentLength(limits.maxSizeRequest())
                .build();
        JsonMapper m = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
                .build();
        m.getFactory().setStreamReadConstraints(read);
        m.getFactory().setStreamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(limits.maxJsonDepth() + 16)
                .build());
        this.mapper = m;
    }

    /** Parses one JSON document. @throws RequestError notJSON, or limit for a bound that was hit */
    public JsonNode parse(InputStream in) throws RequestError {
        try {
            return mapper.readTree(in);
        } catch (StreamConstraintsException e) {
            throw RequestError.limit("maxSizeRequest", "JSON too deep or too long: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw RequestError.notJson("not valid JSON");
        }
    }

    public JsonNode parse(byte[] bytes) throws RequestError {
        return parse(new java.io.ByteArrayInputStream(bytes));
    }

    public byte[] write(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("JSON output failed", e);
        }
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    public static com.fasterxml.jackson.databind.node.ArrayNode array() {
        return JsonNodeFactory.instance.arrayNode();
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
