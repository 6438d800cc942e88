// SPDX-License-Identifier: Apache-2.0
package org.postern.store.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-compatible server for the tests: s3proxy on 127.0.0.1 (ephemeral port) over jclouds'
 * filesystem backend in a temp folder, checking AWS V4 signatures. One per test JVM.
 */
public final class S3TestServer {
    public static final String ACCESS_KEY = "postern-test";
    public static final String SECRET_KEY = "postern-test-secret";
    private static S3Proxy proxy;
    private static int buckets;

    private S3TestServer() {}

    public static synchronized URI endpoint() {
        if (proxy == null) start();
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** A config for a bucket of its own, so tests never see each other's objects. */
    public static synchronized S3Config newBucket() {
        return new S3Config(endpoint(), "us-east-1", "postern-test-" + (++buckets), "mail/", ACCESS_KEY, SECRET_KEY,
                true);
    }

    /**
     * Runs s3proxy as a process of its own (for tests of other modules): prints its endpoint on one line,
     * then serves until its standard input closes, that is until the test that started it ends.
     */
    public static void main(String[] args) throws IOException {
        System.out.println("s3proxy " + endpoint());
        System.out.flush();
        System.in.transferTo(java.io.OutputStream.nullOutputStream());
        System.exit(0);
    }

    private static void start() {
        try {
            Path dir = Files.createTempDirectory("s3proxy");
            Properties p = new Properties();
            p.setProperty("jclouds.filesystem.basedir", dir.toString());
            BlobStoreContext ctx = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential")
                    .overrides(p).build(BlobStoreContext.class);
            S3Proxy s = S3Proxy.builder().blobStore(ctx.getBlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).build();
            s.start();
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (!"STARTED".equals(s.getState())) {
                if (Instant.now().isAfter(deadline)) throw new IllegalStateException("s3proxy did not start");
                Thread.sleep(10);
            }
            proxy = s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start s3proxy", e);
        }
    }
}
