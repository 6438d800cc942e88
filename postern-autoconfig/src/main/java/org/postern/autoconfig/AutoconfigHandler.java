// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import java.nio.file.Path;
import org.postern.autoconfig.acme.AcmeChallengeHandler;
import org.postern.auth.AuthResult;
import org.postern.auth.Authenticator;
import org.postern.core.MailAddress;
import org.postern.http.Router;
import org.postern.store.Account;

/**
 * Serves the documents of this package over the HTTPS server:
 * <ul>
 *   <li>Thunderbird autoconfig at {@value #THUNDERBIRD_WELL_KNOWN} and, for autoconfig.DOMAIN, at
 *       {@value #THUNDERBIRD_AUTOCONFIG_HOST}; the domain comes from {@code ?emailaddress=}, else
 *       from the Host name.</li>
 *   <li>Autodiscover POX at /autodiscover/autodiscover.xml (POST; any letter case, Outlook asks for
 *       /Autodiscover/Autodiscover.xml) and v2 JSON at /autodiscover/autodiscover.json.</li>
 *   <li>An Apple profile at {@value #MOBILECONFIG} for the user of the browser session (with
 *       {@link #withBrowserSessions}), of a signed link ({@link ProfileLinkSigner}), or named by HTTP
 *       Basic credentials (RFC 7617); {@code ?password=include} puts the password into it, with Basic
 *       credentials only (the other two ways know no password).</li>
 *   <li>The MTA-STS policy at {@value MtaStsPolicy#PATH} (RFC 8461 §3.3), whatever the Host.</li>
 *   <li>At {@value #MOBILECONFIG_QR}{@code ?emailaddress=A}, a QR code of that download's URL for A, so a
 *       phone's camera opens it: for the logged-in browser's own address a link signed for
 *       {@link ProfileLinkSigner#LIFETIME} that needs no password, otherwise the plain URL, where the
 *       phone asks for the password.</li>
 *   <li>With {@link #withPortStatus}, at {@value #PORTS_JSON} whether each mail port accepts connections.</li>
 *   <li>With {@link #withAcmeChallenges}, ACME http-01 responses (RFC 8555 §8.3).</li>
 * </ul>
 * Documents are only given out for this server's own domains: a foreign domain gets 404.
 */
public final class AutoconfigHandler extends Handler.Abstract {
    public static final String THUNDERBIRD_WELL_KNOWN = "/.well-known/autoconfig/mail/config-v1.1.xml";
    public static final String THUNDERBIRD_AUTOCONFIG_HOST = "/mail/config-v1.1.xml";
    public static final String AUTODISCOVER_XML = "/autodiscover/autodiscover.xml";
    public static final String AUTODISCOVER_JSON = "/autodiscover/autodiscover.json";
    public static final String MOBILECONFIG = "/autoconfig/apple.mobileconfig";
    public static final String MOBILECONFIG_QR = "/autoconfig/mobileconfig-qr.png";
    public static final String PORTS_JSON = "/autoconfig/ports.json";

    private final ClientSettings settings;
    private final MtaStsPolicy mtaSts;
    private final Predicate<String> localDomain;
    private final Authenticator auth;
    private final Clock clock;
    private final ProfileLinkSigner links;
    private Function<Request, Optional<Account>> browserSessions = r -> Optional.empty();
    private AcmeChallengeHandler acme;
    private PortStatus portStatus;

    /**
     * @param localDomain whether a (lower-case) domain is one this server receives mail for
     * @param auth checks the credentials of .mobileconfig downloads, with the shared throttling
     */
    public AutoconfigHandler(ClientSettings settings, MtaStsPolicy mtaSts, Predicate<String> localDomain,
            Authenticator auth, Clock clock) {
        this.settings = settings;
        this.mtaSts = mtaSts;
        this.localDomain = localDomain;
        this.auth = auth;
        this.clock = clock;
        this.links = new ProfileLinkSigner(clock);
    }

    /**
     * Also accepts the webmail's browser session for the .mobileconfig download and signs the QR
     * code's link for its user; {@code sessions} gives the session's account, if any.
     */
    public AutoconfigHandler withBrowserSessions(Function<Request, Optional<Account>> sessions) {
        this.browserSessions = sessions;
        return this;
    }

    /** Also answers ACME http-01 challenges from the files in {@code dir}; call before {@link #register}. */
    public AutoconfigHandler withAcmeChallenges(Path dir) {
        this.acme = new AcmeChallengeHandler(dir);
        return this;
    }

    /** Also answers {@value #PORTS_JSON} from {@code status}. */
    public AutoconfigHandler withPortStatus(PortStatus status) {
        this.portStatus = status;
        return this;
    }

    public void register(Router router) {
        if (acme != null) router.add(AcmeChallengeHandler.PREFIX, acme);
        router.add("/.well-known/autoconfig/", this);
        router.add(THUNDERBIRD_AUTOCONFIG_HOST, this);
        router.add("/autodiscover/", this);
        router.add("/Autodiscover/", this);
        router.add("/AutoDiscover/", this);
        router.add(MtaStsPolicy.PATH, this);
        router.add("/autoconfig/", this);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        boolean get = method.equals("GET") || method.equals("HEAD");
        Fields query;
        try {
            query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return send(response, callback, 400, "text/plain; charset=utf-8", "bad query string\n");
        }
        String lower = path.toLowerCase(Locale.ROOT);
        if (path.equals(THUNDERBIRD_WELL_KNOWN) || path.equals(THUNDERBIRD_AUTOCONFIG_HOST)) {
            if (!get) return notAllowed(response, callback, "GET, HEAD");
            return thunderbird(request, response, callback, query);
        }
        if (lower.equals(AUTODISCOVER_XML)) {
            if (!method.equals("POST")) return notAllowed(response, callback, "POST");
            return autodiscoverXml(request, response, callback);
        }
        if (lower.equals(AUTODISCOVER_JSON) || lower.startsWith(AUTODISCOVER_JSON + "/")) {
            if (!get) return notAllowed(response, callback, "GET, HEAD");
            return autodiscoverJson(request, response, callback, path, query);
        }
        if (path.equals(MtaStsPolicy.PATH)) {
            if (!get) return notAllowed(response, callback, "GET, HEAD");
            // RFC 8461 §3.3: media type text/plain; senders cache by max_age, not by HTTP headers.
            return send(response, callback, 200, "text/plain", mtaSts.text());
        }
        if (path.equals(MOBILECONFIG)) {
            if (!get) return notAllowed(response, callback, "GET, HEAD");
            return mobileconfig(request, response, callback, query);
        }
        if (path.equals(MOBILECONFIG_QR)) {
            if (!get) return notAllowed(response, callback, "GET, HEAD");
            return mobileconfigQr(request, response, callback, query);
        }
        if (path.equals(PORTS_JSON) && portStatus != null) {
            if (!get) return notAllowed(response, callback, "GET, HEAD");
            return send(response, callback, 200, "application/json", portStatus.json());
        }
        return false;
    }

    /**
     * The URL of the .mobileconfig download for an address of a local domain, on this host and the
     * HTTPS port the request came in on. For the browser session's own address the URL carries a
     * signature, so the phone (which has no session) downloads without a password; for anyone else
     * the download asks for it.
     */
    private boolean mobileconfigQr(Request request, Response response, Callback callback, Fields query) {
        Optional<Account> session = browserSessions.apply(request);
        String email = value(query, "emailaddress");
        if (email == null && session.isPresent()) email = session.get().address();
        Optional<MailAddress> a = email == null ? Optional.empty() : MailAddress.parse(email.strip());
        if (a.isEmpty() || !localDomain.test(a.get().domain().toLowerCase(Locale.ROOT))) {
            return send(response, callback, 404, "text/plain; charset=utf-8", "no mail domain here\n");
        }
        String address = a.get().toString();
        String url = mobileconfigUrl(Request.getLocalPort(request), address);
        if (session.isPresent() && session.get().address().equalsIgnoreCase(address)) {
            ProfileLinkSigner.Link l = links.sign(address);
            url += "&expires=" + l.expires() + "&sig=" + l.signature();
        }
        if (url.length() > QrCodeWriter.MAX_TEXT) {
            return send(response, callback, 414, "text/plain; charset=utf-8", "the address is too long for a QR code\n");
        }
        byte[] png = QrCodeWriter.png(url);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "image/png");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, java.nio.ByteBuffer.wrap(png), callback);
        return true;
    }

    /** What the QR code of {@value #MOBILECONFIG_QR} encodes. */
    public String mobileconfigUrl(int httpsPort, String address) {
        return "https://" + settings.hostname() + (httpsPort == 443 || httpsPort <= 0 ? "" : ":" + httpsPort) + MOBILECONFIG
                + "?emailaddress=" + java.net.URLEncoder.encode(address, StandardCharsets.UTF_8);
    }

    private boolean thunderbird(Request request, Response response, Callback callback, Fields query) {
        String domain = null;
        String email = value(query, "emailaddress");
        if (email != null) {
            Optional<MailAddress> a = MailAddress.parse(email.strip());
            if (a.isEmpty()) return send(response, callback, 400, "text/plain; charset=utf-8", "emailaddress is not an address\n");
            domain = a.get().domain();
        } else {
            String host = Request.getServerName(request);
            if (host != null) {
                host = host.toLowerCase(Locale.ROOT);
                domain = host.startsWith("autoconfig.") ? host.substring("autoconfig.".length()) : host;
            }
        }
        domain = domain == null ? null : domain.toLowerCase(Locale.ROOT);
        if (domain == null || !MailAddress.validDomain(domain) || !localDomain.test(domain)) {
            return send(response, callback, 404, "text/plain; charset=utf-8", "no mail domain here\n");
        }
        return send(response, callback, 200, "application/xml; charset=utf-8", ThunderbirdConfigWriter.write(settings, domain));
    }

    private boolean autodiscoverXml(Request request, Response response, Callback callback) throws IOException {
        byte[] body = Content.Source.asInputStream(request).readNBytes(AutodiscoverRequestParser.MAX_BYTES + 1);
        String xml = switch (AutodiscoverRequestParser.parse(body)) {
            case AutodiscoverRequest.Invalid i -> AutodiscoverWriter.error(600, "Invalid Request", clock.instant());
            case AutodiscoverRequest.Valid v when !v.responseSchema().equals(AutodiscoverRequest.OUTLOOK_RESPONSE_SCHEMA) ->
                    AutodiscoverWriter.error(601, "Provider is not available", clock.instant());
            case AutodiscoverRequest.Valid v when !local(v.emailAddress()) ->
                    AutodiscoverWriter.error(600, "Invalid Request", clock.instant());
            case AutodiscoverRequest.Valid v -> AutodiscoverWriter.response(settings, v.emailAddress());
        };
        // Errors travel as 200 with an Error element, as Exchange answers ([MS-OXDSCLI] §2.2.4.1.2).
        return send(response, callback, 200, "application/xml; charset=utf-8", xml);
    }

    /**
     * Autodiscover v2: {@code ?Email=a@b&Protocol=AutodiscoverV1} or {@code /v1.0/a@b?Protocol=...}.
     * Only AutodiscoverV1 is offered; the ActiveSync and EWS protocols this server does not speak.
     */
    private boolean autodiscoverJson(Request request, Response response, Callback callback, String path, Fields query) {
        String email = value(query, "email");
        String rest = path.substring(AUTODISCOVER_JSON.length());
        if (email == null && rest.toLowerCase(Locale.ROOT).startsWith("/v1.0/")) email = rest.substring("/v1.0/".length());
        String protocol = value(query, "protocol");
        if (email == null || !local(email.strip())) {
            return send(response, callback, 404, "application/json", AutodiscoverWriter.v2Error("InvalidUser", "not a user of this server"));
        }
        if (protocol == null || !protocol.equalsIgnoreCase("AutodiscoverV1")) {
            return send(response, callback, 400, "application/json",
                    AutodiscoverWriter.v2Error("ProtocolNotSupported", "only AutodiscoverV1 is supported"));
        }
        int port = Request.getLocalPort(request);
        String url = "https://" + settings.hostname() + (port == 443 || port <= 0 ? "" : ":" + port) + AUTODISCOVER_XML;
        return send(response, callback, 200, "application/json", AutodiscoverWriter.v2("AutodiscoverV1", url));
    }

    private boolean mobileconfig(Request request, Response response, Callback callback, Fields query) {
        Optional<String[]> creds = basic(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        String address = null;
        Optional<String> password = Optional.empty();
        String email = value(query, "emailaddress");
        String sig = value(query, "sig");
        if (sig != null && email != null && local(email.strip()) && links.valid(email.strip(), value(query, "expires"), sig)) {
            address = MailAddress.parse(email.strip()).orElseThrow().toString();
        } else if (creds.isEmpty()) {
            address = browserSessions.apply(request).map(Account::address).orElse(null);
        } else {
            Account account = basicAccount(request, creds.get());
            if (account != null) {
                address = account.address();
                if ("include".equals(value(query, "password"))) password = Optional.of(creds.get()[1]);
            }
        }
        if (address == null) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"Postern\", charset=\"UTF-8\"");
            String why = sig != null ? "this link has expired (links from the QR code last 15 minutes); " : "";
            return send(response, callback, 401, "text/plain; charset=utf-8", why + "log in with your mail address and password\n");
        }
        String profile = MobileconfigWriter.write(settings, address, password);
        String file = address.replaceAll("[^A-Za-z0-9@._-]", "_") + ".mobileconfig";
        response.getHeaders().put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"" + file + "\"");
        return send(response, callback, 200, MobileconfigWriter.MEDIA_TYPE, profile);
    }

    /** The account of Basic credentials, with the shared throttling; null when they are wrong. */
    private Account basicAccount(Request request, String[] creds) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        InetAddress client = remote instanceof InetSocketAddress isa ? isa.getAddress() : InetAddress.getLoopbackAddress();
        return auth.authenticate(creds[0], creds[1], client) instanceof AuthResult.Success s ? s.account() : null;
    }

    private boolean local(String email) {
        return MailAddress.parse(email).map(a -> localDomain.test(a.domain().toLowerCase(Locale.ROOT))).orElse(false);
    }

    /** A query parameter by case-insensitive name (Autodiscover clients vary in case), or null. */
    private static String value(Fields query, String name) {
        for (Fields.Field f : query) {
            if (f.getName().equalsIgnoreCase(name)) return f.getValue();
        }
        return null;
    }

    /** RFC 7617 §2: user-id ":" password, Base64; UTF-8 as the challenge's charset says. */
    static Optional<String[]> basic(String header) {
        if (header == null || header.length() > 4096) return Optional.empty();
        int sp = header.indexOf(' ');
        if (sp < 0 || !header.substring(0, sp).equalsIgnoreCase("Basic")) return Optional.empty();
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(header.substring(sp + 1).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = pair.indexOf(':');
        if (colon <= 0 || pair.substring(0, colon).chars().anyMatch(c -> c < 0x20 || c == 0x7f)) return Optional.empty();
        return Optional.of(new String[] {pair.substring(0, colon), pair.substring(colon + 1)});
    }

    private static boolean notAllowed(Response response, Callback callback, String allow) {
        response.getHeaders().put(HttpHeader.ALLOW, allow);
        return send(response, callback, 405, "text/plain; charset=utf-8", "method not allowed\n");
    }

    private static boolean send(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, body, callback);
        return true;
    }
}
