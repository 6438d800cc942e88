// SPDX-License-Identifier: Apache-2.0
package org.postern.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.postern.http.Router;
import org.postern.jmap.JmapHandler;
import org.postern.server.CertificateWatch;
import org.postern.server.cli.Doctor;
import org.postern.server.cli.PortProbe;
import org.postern.store.Account;
import org.postern.store.MailStore;

/**
 * GET {@value #DOCTOR}: the report of {@code postern doctor} and the served certificate's expiry, as
 * JSON for the admin page (static/admin/ in the webmail). 403 unless the browser session belongs to
 * an admin.
 */
public final class AdminHandler extends Handler.Abstract {
    public static final String PREFIX = "/admin/api/";
    public static final String DOCTOR = PREFIX + "doctor";
    /** A report younger than this is served again instead of probing every port anew. */
    static final Duration REUSE = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JmapHandler jmap;
    private final List<String> admins;
    private final Supplier<Doctor.Options> options;
    private final MailStore store;
    private final CertificateWatch certificate;
    private final Clock clock;
    private Doctor.Report last;
    private Instant lastAt = Instant.MIN;

    /**
     * @param admins lower-case addresses from postern.conf, admins besides accounts with the admin flag
     * @param options how to reach this server's ports, asked at each run (ports are bound by then)
     */
    public AdminHandler(JmapHandler jmap, List<String> admins, Supplier<Doctor.Options> options, MailStore store,
            CertificateWatch certificate, Clock clock) {
        this.jmap = jmap;
        this.admins = admins.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
        this.options = options;
        this.store = store;
        this.certificate = certificate;
        this.clock = clock;
    }

    public void register(Router router) {
        router.add(PREFIX, this);
    }

    boolean admin(Account a) {
        return a.admin() || admins.contains(a.address().toLowerCase(Locale.ROOT));
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        Optional<Account> account = jmap.browserAccount(request);
        if (account.isEmpty() || !admin(account.get())) {
            // One answer for "not logged in" and "not an admin", beyond what the page needs to offer a login.
            return send(response, callback, 403, "{\"error\":\"" + (account.isEmpty() ? "login" : "forbidden") + "\"}");
        }
        if (!path.equals(DOCTOR)) return send(response, callback, 404, "{\"error\":\"notFound\"}");
        if (!request.getMethod().equals("GET")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET");
            return send(response, callback, 405, "{\"error\":\"methodNotAllowed\"}");
        }
        Doctor.Report report;
        Instant at;
        synchronized (this) {
            if (last == null || !clock.instant().isBefore(lastAt.plus(REUSE))) {
                last = Doctor.run(options.get(), store, clock);
                lastAt = clock.instant();
            }
            report = last;
            at = lastAt;
        }
        return send(response, callback, 200, JSON.writeValueAsString(render(report, at, certificate.status())));
    }

    static ObjectNode render(Doctor.Report report, Instant at, CertificateWatch.Status cert) {
        ObjectNode root = JSON.createObjectNode();
        root.put("checkedAt", at.toString());
        ObjectNode c = root.putObject("certificate");
        c.put("subject", cert.subject());
        c.put("issuer", cert.issuer());
        c.put("notAfter", cert.notAfter().toString());
        c.put("daysLeft", cert.daysLeft());
        if (cert.warning().isPresent()) c.put("warning", cert.warning().get());
        else c.putNull("warning");
        List<PortProbe.Finding> summary = report.summary();
        long problems = report.failures();
        root.put("problems", problems);
        root.put("warnings", summary.size() - problems);
        ArrayNode sections = root.putArray("sections");
        for (Doctor.Section s : report.sections()) {
            ObjectNode n = sections.addObject();
            n.put("title", s.title());
            ArrayNode findings = n.putArray("findings");
            for (PortProbe.Finding f : s.findings()) finding(findings.addObject(), f);
        }
        ArrayNode sum = root.putArray("summary");
        for (PortProbe.Finding f : summary) finding(sum.addObject(), f);
        return root;
    }

    private static void finding(ObjectNode n, PortProbe.Finding f) {
        n.put("level", switch (f.level()) {
            case OK -> "ok";
            case WARN -> "warning";
            case FAIL -> "problem";
        });
        n.put("text", f.text());
    }

    private static boolean send(Response response, Callback callback, int status, String json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, json, callback);
        return true;
    }
}
