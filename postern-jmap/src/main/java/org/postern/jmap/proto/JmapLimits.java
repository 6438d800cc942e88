// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.proto;

/**
 * The limits advertised in the urn:ietf:params:jmap:core capability (RFC 8620 §2) plus the JSON
 * parsing bounds that are ours (HOSTILE.md A62).
 */
public record JmapLimits(long maxSizeUpload, int maxConcurrentUpload, long maxSizeRequest, int maxConcurrentRequests,
        int maxCallsInRequest, int maxObjectsInGet, int maxObjectsInSet, int maxJsonDepth, int maxStringLength,
        int maxNumberLength) {
    public static final JmapLimits DEFAULT = new JmapLimits(50_000_000, 4, 10_000_000, 4, 32, 500, 500, 64, 10_000_000, 64);
}
