// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A media type with its parameters (RFC 2045 §5.1). Type, subtype and parameter names are lower-case;
 * parameters keep their order, RFC 2231 continuations and charsets already decoded. RFC 2047 words in
 * values (non-standard, but common in {@code name=}) are left for the caller to decode.
 */
public record ContentType(String type, String subtype, Map<String, String> params) {

    /** RFC 2045 §5.2: the type of a part without (or with an invalid) Content-Type. */
    public static final ContentType DEFAULT = new ContentType("text", "plain", Map.of("charset", "us-ascii"));
    /** RFC 2046 §5.1.5: the default for the children of multipart/digest. */
    public static final ContentType MESSAGE_RFC822 = new ContentType("message", "rfc822", Map.of());
    /** What a part cut off by a limit is reported as (HOSTILE A32). */
    public static final ContentType OCTET_STREAM = new ContentType("application", "octet-stream", Map.of());

    public ContentType {
        type = type.toLowerCase(Locale.ROOT);
        subtype = subtype.toLowerCase(Locale.ROOT);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /** Parses a Content-Type field value; empty when it is syntactically invalid. */
    public static Optional<ContentType> parse(String value) {
        return Optional.ofNullable(ParameterParser.contentType(value));
    }

    /** "type/subtype". */
    public String mimeType() {
        return type + "/" + subtype;
    }

    /** A parameter by case-insensitive name, or null. */
    public String param(String name) {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    public String charset() {
        return param("charset");
    }

    public boolean is(String type, String subtype) {
        return this.type.equalsIgnoreCase(type) && this.subtype.equalsIgnoreCase(subtype);
    }

    public boolean isMultipart() {
        return type.equals("multipart");
    }

    /** message/rfc822 or message/global (RFC 6532 §3.7): a whole message nested in a part. */
    public boolean isMessage() {
        return type.equals("message") && (subtype.equals("rfc822") || subtype.equals("global"));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(mimeType());
        params.forEach((k, v) -> sb.append("; ").append(k).append("=\"").append(v).append('"'));
        return sb.toString();
    }
}
