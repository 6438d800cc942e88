// SPDX-License-Identifier: Apache-2.0
package org.postern.smtp.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.postern.dns.DnsAnswer;
import org.postern.dns.DnsResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the MTA-STS policy of a recipient domain (RFC 8461 §3, §5.1): the _mta-sts TXT record says
 * whether there is one and its id; a cached policy with the same id (or any unexpired cached policy
 * when DNS or HTTPS fails) is used as is; otherwise the policy is fetched over HTTPS with a
 * PKIX-valid certificate, without redirects (§3.3), at most 64 KiB, within timeouts.
 */
public final class MtaStsResolver {
    private static final Logger log = LoggerFactory.getLogger(MtaStsResolver.class);
    /** RFC 8461 §3.3 suggests 64 KiB as the largest policy a sender needs to accept. */
    static final int MAX_POLICY = 64 * 1024;

    /** Fetches the policy text of a domain; empty when there is none to be had (any failure). */
    @FunctionalInterface
    public interface Fetcher {
        Optional<String> fetch(String domain);
    }

    /**
     * The request timeout covers only the response head; a server dripping the body must not hold
     * the delivery, so the body is read on a virtual thread and given up (and closed) at the deadline.
     */
    static byte[] readBounded(InputStream in, Duration timeout) throws IOException {
        java.util.concurrent.FutureTask<byte[]> read = new java.util.concurrent.FutureTask<>(() -> in.readNBytes(MAX_POLICY + 1));
        Thread.ofVirtual().name("mta-sts-body").start(read);
        try {
            return read.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            in.close();
            read.cancel(true);
            throw new IOException("policy body not received within " + timeout);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            in.close();
            throw new IOException("interrupted");
        }
    }

    private final DnsResolver dns;
    private final Fetcher fetcher;
    private final MtaStsCache cache;
    private final Clock clock;

    public MtaStsResolver(DnsResolver dns, Fetcher fetcher, MtaStsCache cache, Clock clock) {
        this.dns = dns;
        this.fetcher = fetcher;
        this.cache = cache;
        this.clock = clock;
    }

    /** The policy that applies to {@code domain}, if any. */
    public Optional<MtaStsPolicy> policy(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        Optional<MtaStsPolicy> cached = cache.get(d).filter(p -> !p.expired(clock.instant()));
        DnsAnswer<String> txt = dns.txt("_mta-sts." + d);
        String id = txt.isFound() ? MtaStsPolicyParser.txtId(txt.records()) : null;
        if (id == null) return cached; // §5.1: no (valid) record, or DNS trouble: a cached policy still holds
        if (cached.isPresent() && cached.get().id().equals(id)) return cached;
        Optional<String> text = fetcher.fetch(d);
        if (text.isEmpty()) return cached;
        return switch (MtaStsPolicyParser.policy(text.get(), id, clock.instant())) {
            case MtaStsPolicyParser.Result.Policy p -> {
                cache.put(d, p.policy(), text.get());
                log.info("MTA-STS policy of {}: mode {}, mx {}", d, p.policy().mode(), p.policy().mx());
                yield Optional.of(p.policy());
            }
            case MtaStsPolicyParser.Result.Invalid i -> {
                log.warn("invalid MTA-STS policy of {}: {}", d, i.reason());
                yield cached;
            }
        };
    }

    /**
     * The production set-up: policies from {@link #wellKnown} with {@code trust} (the JDK's CAs), a
     * 10-second bound on each fetch, cached in {@code cacheDir} (null: in memory only).
     */
    public static MtaStsResolver standard(DnsResolver dns, java.nio.file.Path cacheDir, SSLContext trust) {
        return new MtaStsResolver(dns, https(trust, MtaStsResolver::wellKnown, Duration.ofSeconds(10)),
                new MtaStsCache(cacheDir), Clock.systemUTC());
    }

    /** RFC 8461 §3.2: https://mta-sts.DOMAIN/.well-known/mta-sts.txt. */
    public static URI wellKnown(String domain) {
        return URI.create("https://mta-sts." + domain + "/.well-known/mta-sts.txt");
    }

    /**
     * The HTTPS fetcher of RFC 8461 §3.3 with the JDK HttpClient: {@code trust} decides which
     * certificates are valid (the JDK's default trust in production, a test CA in tests);
     * {@code location} maps a domain to its policy URL ({@link #wellKnown} in production).
     */
    public static Fetcher https(SSLContext trust, Function<String, URI> location, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().sslContext(trust).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout).build();
        return domain -> {
            URI uri = location.apply(domain);
            try {
                HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
                HttpResponse<InputStream> resp = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream in = resp.body()) {
                    // §3.3: 200 only (no redirects), and the media type must be text/plain.
                    String type = resp.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
                    if (resp.statusCode() != 200 || !type.startsWith("text/plain")) {
                        log.info("MTA-STS fetch {}: HTTP {} {}", uri, resp.statusCode(), type);
                        return Optional.empty();
                    }
                    byte[] body = readBounded(in, timeout);
                    if (body.length > MAX_POLICY) {
                        log.warn("MTA-STS policy at {} is larger than {} octets", uri, MAX_POLICY);
                        return Optional.empty();
                    }
                    return Optional.of(new String(body, StandardCharsets.UTF_8));
                }
            } catch (IOException | RuntimeException e) {
                log.info("MTA-STS fetch {} failed: {}", uri, e.toString());
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        };
    }
}
