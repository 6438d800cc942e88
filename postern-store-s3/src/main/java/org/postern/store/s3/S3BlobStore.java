// SPDX-License-Identifier: Apache-2.0
package org.postern.store.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.postern.store.ExternalBlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Message bodies as objects {@code prefix + id} in one bucket. A body up to {@link #PART} bytes is one
 * PUT with its length and MD5; a bigger one is a multipart upload of {@code PART}-sized parts, so a
 * writer never holds more than one part in memory whatever the message size.
 */
public final class S3BlobStore implements ExternalBlobStore {
    /** Multipart part size: S3's minimum is 5 MiB for every part but the last. */
    public static final int PART = 8 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(S3BlobStore.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");

    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final SecureRandom random = new SecureRandom();

    private S3BlobStore(S3Client client, String bucket, String prefix) {
        this.client = client;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /**
     * Connects and checks the bucket, creating it when it does not exist.
     *
     * @throws IOException when the object store cannot be reached or refuses the credentials
     */
    public static S3BlobStore open(S3Config config) throws IOException {
        S3ClientBuilder b = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))
                        .build())
                .region(Region.of(config.region()))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(config.accessKey(), config.secretKey())))
                .forcePathStyle(config.pathStyle())
                // Content-MD5 on every upload checks integrity; the newer flexible checksums are not
                // understood by every S3-compatible server.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        if (config.endpoint() != null) b.endpointOverride(config.endpoint());
        S3Client client = b.build();
        S3BlobStore store = new S3BlobStore(client, config.bucket(), config.prefix());
        try {
            store.ensureBucket();
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
        return store;
    }

    private void ensureBucket() throws IOException {
        try {
            client.headBucket(r -> r.bucket(bucket));
        } catch (NoSuchBucketException e) {
            LOG.info("creating S3 bucket {}", bucket);
            io(() -> client.createBucket(r -> r.bucket(bucket)));
        } catch (SdkException e) {
            throw new IOException("S3 bucket " + bucket + " is not usable: " + e.getMessage(), e);
        }
    }

    @Override
    public BlobWriter create() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return new UploadWriter(HexFormat.of().formatHex(b));
    }

    @Override
    public InputStream open(String blobId) throws IOException {
        String key = key(blobId);
        try {
            return client.getObject(r -> r.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException("blob " + blobId);
        } catch (SdkException e) {
            throw new IOException("S3 GET " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long size(String blobId) throws IOException {
        String key = key(blobId);
        try {
            return client.headObject(r -> r.bucket(bucket).key(key)).contentLength();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException("blob " + blobId);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) throw new NoSuchFileException("blob " + blobId);
            throw new IOException("S3 HEAD " + key + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("S3 HEAD " + key + ": " + e.getMessage(), e);
        }
    }

    /** S3 DELETE succeeds for a missing key too, which is the idempotence the contract asks for. */
    @Override
    public void delete(String blobId) throws IOException {
        String key = key(blobId);
        io(() -> client.deleteObject(r -> r.bucket(bucket).key(key)));
    }

    @Override
    public void list(Instant writtenBefore, PageConsumer page) throws IOException {
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response resp = io(() -> client.listObjectsV2(ListObjectsV2Request.builder()
                    .bucket(bucket).prefix(prefix).continuationToken(t).build()));
            List<String> ids = new ArrayList<>();
            for (S3Object o : resp.contents()) {
                String id = o.key().substring(prefix.length());
                if (ID.matcher(id).matches() && o.lastModified() != null && o.lastModified().isBefore(writtenBefore)) {
                    ids.add(id);
                }
            }
            if (!ids.isEmpty()) page.accept(ids);
            token = Boolean.TRUE.equals(resp.isTruncated()) ? resp.nextContinuationToken() : null;
        } while (token != null);
    }

    @Override
    public void close() {
        client.close();
    }

    private String key(String blobId) throws NoSuchFileException {
        if (blobId == null || !ID.matcher(blobId).matches()) throw new NoSuchFileException("blob " + blobId);
        return prefix + blobId;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run();
    }

    private static <T> T io(Call<T> call) throws IOException {
        try {
            return call.run();
        } catch (SdkException e) {
            throw new IOException("S3: " + e.getMessage(), e);
        }
    }

    private static String md5(byte[] b, int len) {
        try {
            MessageDigest d = MessageDigest.getInstance("MD5");
            d.update(b, 0, len);
            return Base64.getEncoder().encodeToString(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Buffers up to one part; the first full part turns the upload into a multipart upload. */
    private final class UploadWriter implements BlobWriter {
        private final String id;
        private final String key;
        private byte[] buffer = new byte[16 * 1024];
        private int filled;
        private long size;
        private String uploadId;
        private final List<CompletedPart> parts = new ArrayList<>();
        private boolean committed;
        private boolean closed;

        UploadWriter(String id) {
            this.id = id;
            this.key = prefix + id;
        }

        private final OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                UploadWriter.this.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                UploadWriter.this.write(b, off, len);
            }
        };

        @Override
        public OutputStream stream() {
            return out;
        }

        @Override
        public long size() {
            return size;
        }

        private void write(byte[] b, int off, int len) throws IOException {
            if (committed || closed) throw new IOException("blob writer already finished");
            Objects.checkFromIndexSize(off, len, b.length);
            while (len > 0) {
                if (filled == buffer.length) {
                    if (buffer.length < PART) {
                        buffer = Arrays.copyOf(buffer, Math.min(PART, buffer.length * 2));
                    } else {
                        uploadPart();
                    }
                }
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                size += n;
            }
        }

        private void uploadPart() throws IOException {
            if (uploadId == null) {
                uploadId = io(() -> client.createMultipartUpload(r -> r.bucket(bucket).key(key)).uploadId());
            }
            int number = parts.size() + 1;
            int n = filled;
            String md5 = md5(buffer, n);
            String etag = io(() -> client.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                    .partNumber(number).contentLength((long) n).contentMD5(md5),
                    RequestBody.fromInputStream(new ByteArrayInputStream(buffer, 0, n), n)).eTag());
            parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
            filled = 0;
        }

        @Override
        public String commit() throws IOException {
            if (committed || closed) throw new IllegalStateException("blob writer already finished");
            if (uploadId == null) {
                int n = filled;
                String md5 = md5(buffer, n);
                io(() -> client.putObject(r -> r.bucket(bucket).key(key).contentLength((long) n).contentMD5(md5),
                        RequestBody.fromInputStream(new ByteArrayInputStream(buffer, 0, n), n)));
            } else {
                if (filled > 0) uploadPart();
                io(() -> client.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(parts))));
            }
            committed = true;
            buffer = null;
            return id;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            buffer = null;
            if (!committed && uploadId != null) {
                try {
                    client.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
                } catch (SdkException e) {
                    // The bucket's lifecycle rule for incomplete uploads (or the sweep of the store) cleans up.
                    LOG.warn("could not abort multipart upload of {}: {}", key, e.getMessage());
                }
            }
        }
    }
}
