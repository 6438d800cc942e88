// SPDX-License-Identifier: Apache-2.0
package org.postern.core.mime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A Content-Disposition (RFC 2183 §2): lower-case type, parameters as in {@link ContentType}. */
public record ContentDisposition(String type, Map<String, String> params) {

    public ContentDisposition {
        type = type.toLowerCase(Locale.ROOT);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public static Optional<ContentDisposition> parse(String value) {
        return Optional.ofNullable(ParameterParser.disposition(value));
    }

    public String param(String name) {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    /** The filename parameter as written (RFC 2183 §2.3); never use it as a path. */
    public String filename() {
        return param("filename");
    }

    public boolean isAttachment() {
        return type.equals("attachment");
    }
}
