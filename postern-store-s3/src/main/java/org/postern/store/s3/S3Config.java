// SPDX-License-Identifier: Apache-2.0
package org.postern.store.s3;

import java.net.URI;

/**
 * Where message bodies go in an S3-compatible object store.
 *
 * @param endpoint the service's base URL ({@code https://s3.example.net}); null for AWS itself, whose
 *     endpoint follows from the region
 * @param region the signing region (any name for most S3-compatible servers, e.g. {@code us-east-1})
 * @param prefix prepended to every object key (e.g. {@code postern/}); empty for none. A sweep deletes
 *     objects under it that no message references, so give Postern a prefix (or bucket) of its own.
 * @param pathStyle {@code https://host/bucket/key} instead of {@code https://bucket.host/key}: what
 *     MinIO, Ceph RGW, Garage and most self-hosted servers need
 */
public record S3Config(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey,
        boolean pathStyle) {
    public S3Config {
        if (region == null || region.isBlank()) throw new IllegalArgumentException("an S3 region is needed");
        // S3 bucket naming rules (3-63 of lowercase letters, digits, dots and hyphens).
        if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("not an S3 bucket name: " + bucket);
        }
        prefix = prefix == null ? "" : prefix;
        if (prefix.length() > 256 || prefix.startsWith("/") || prefix.contains("..")) {
            throw new IllegalArgumentException("unusable S3 key prefix: " + prefix);
        }
        if (accessKey == null || accessKey.isEmpty() || secretKey == null || secretKey.isEmpty()) {
            throw new IllegalArgumentException("S3 access key and secret key are needed");
        }
        if (endpoint != null && !"https".equals(endpoint.getScheme()) && !"http".equals(endpoint.getScheme())) {
            throw new IllegalArgumentException("S3 endpoint must be an http or https URL: " + endpoint);
        }
    }

    /** The secret stays out of logs and error messages. */
    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", accessKey=" + accessKey + ", pathStyle=" + pathStyle + "]";
    }
}
