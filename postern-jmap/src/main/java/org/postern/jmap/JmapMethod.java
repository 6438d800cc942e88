// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.postern.jmap.proto.MethodError;

/** One JMAP method (RFC 8620 §3.2): arguments in, response arguments out, or a method-level error. */
@FunctionalInterface
public interface JmapMethod {
    ObjectNode call(ObjectNode args, CallContext ctx) throws MethodError;
}
