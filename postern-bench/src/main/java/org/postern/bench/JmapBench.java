// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code jmap}: what a JMAP mail client waits for, over HTTPS (HTTP/2, Basic auth) on one large mailbox.
 *
 * <ul>
 *   <li>{@code list}: the first screen of a mail client, one request of Email/query (inMailbox INBOX,
 *       receivedAt descending, collapseThreads, limit 50) and Email/get of its ids by result reference
 *       (RFC 8620 §3.7) with the list properties (id, threadId, mailboxIds, keywords, from, subject,
 *       receivedAt, size, preview); timed from sending the request to the last byte of the answer.
 *       {@code query} and {@code get} time the two calls alone, to tell where the time goes.
 *   <li>{@code total}: the same Email/query with calculateTotal, the conversation view's count (with
 *       collapseThreads the total counts threads, RFC 8621 §4.4.3); its first (cold) time is
 *       {@code first_total_ms}, the number {@code inbox_threads}.
 *   <li>{@code push}: with an EventSource stream open (RFC 8620 §7.3, types=Email, no pings), one message
 *       delivered over plain SMTP (RFC 5321, one session for all), timed from writing the end of data
 *       to the arrival of the StateChange event; then the {@code list} request is sent again, as a client
 *       does on that event, timed ({@code list_after_change_ms}: the first query on a changed mailbox) and
 *       checked to show the new message first.
 * </ul>
 * The first (cold) list request is printed apart; then {@code --warmup} untimed requests, then
 * {@code --repeats} timed ones, printed as min, median and p90 in milliseconds; with {@code --pid}, also
 * the server's CPU time per request.
 */
final class JmapBench {
    static final Set<String> VALUED = Set.of("host", "port", "user", "password", "repeats", "warmup",
            "pushes", "smtp-port", "label", "timeout-ms", "only", "pid");
    static final String LIST_PROPERTIES = "[\"id\",\"threadId\",\"mailboxIds\",\"keywords\",\"from\",\"subject\",\"receivedAt\","
            + "\"size\",\"preview\"]";
    static final int PAGE = 50;
    /** USER_HZ, the unit of /proc/PID/stat times: 100 on every Linux architecture Postern runs on. */
    static final int CLOCK_TICKS = 100;
    /** A StateChange later than this counts as missed: the issue asks for under one second. */
    static final long PUSH_DEADLINE_NANOS = 10_000_000_000L;
    /** Between deliveries, so one event is not two deliveries' changes folded together. */
    static final long PUSH_GAP_MILLIS = 300;

    private JmapBench() {}

    static int run(List<String> args) throws Exception {
        Options o = Options.parse(args, VALUED, Set.of());
        Target target = Target.of(o.string("host", "127.0.0.1"), o.integer("port", 443, 1, 65535));
        String user = o.required("user");
        int repeats = o.integer("repeats", 100, 1, 10_000);
        int warmup = o.integer("warmup", 20, 0, 10_000);
        int pushes = o.integer("pushes", 20, 0, 1000);
        int smtpPort = o.integer("smtp-port", 25, 1, 65535);
        String label = o.string("label", target.toString());
        Duration timeout = Duration.ofMillis(o.integer("timeout-ms", 120_000, 1_000, 3_600_000));
        Set<String> only = Set.of(o.string("only", "list,query,total,get,push").split(","));
        long pid = o.integer("pid", 0, 0, Integer.MAX_VALUE);
        StringBuilder out = new StringBuilder("{\"bench\":\"jmap\",\"label\":").append(Text.json(label))
                .append(",\"target\":\"").append(target).append("\",\"load_before\":").append(loadAverage());
        try (JmapClient c = JmapClient.open(target, user, o.required("password"), timeout)) {
            String acc = c.accountId();
            String inbox = inboxId(c, acc);
            String query = "{\"accountId\":" + Text.json(acc) + ",\"filter\":{\"inMailbox\":" + Text.json(inbox) + "},"
                    + "\"sort\":[{\"property\":\"receivedAt\",\"isAscending\":false}],\"collapseThreads\":true,\"limit\":" + PAGE;
            String list = request("[\"Email/query\"," + query + "},\"q\"],[\"Email/get\",{\"accountId\":" + Text.json(acc)
                    + ",\"#ids\":{\"resultOf\":\"q\",\"name\":\"Email/query\",\"path\":\"/ids\"},\"properties\":"
                    + LIST_PROPERTIES + "},\"g\"]");

            long cpu0 = pid > 0 ? cpuTicks(pid) : -1;
            long t = System.nanoTime();
            HttpResponse<byte[]> first = c.post(list);
            double firstMs = (System.nanoTime() - t) / 1e6;
            long cpu1 = pid > 0 ? cpuTicks(pid) : -1;
            List<?> ids = checkList(first);
            out.append(",\"http\":\"").append(first.version()).append('"');
            // The conversation view's count (RFC 8621 §4.4.3: with collapseThreads the total counts threads).
            String totalQuery = request("[\"Email/query\"," + query + ",\"calculateTotal\":true},\"q\"]");
            t = System.nanoTime();
            Object total = JsonParser.at(c.call(totalQuery), "methodResponses", 0, 1, "total");
            double firstTotalMs = (System.nanoTime() - t) / 1e6;
            long cpu2 = pid > 0 ? cpuTicks(pid) : -1;
            out.append(",\"inbox_threads\":").append(total == null ? "null" : Long.toString(((Double) total).longValue()));
            out.append(",\"first_list_ms\":").append(MixBench.fmt(firstMs)).append(",\"list_bytes\":").append(first.body().length);
            out.append(",\"first_total_ms\":").append(MixBench.fmt(firstTotalMs));
            if (pid > 0) {
                // The cold requests' CPU time: on a loaded machine their wall time says more about the load.
                out.append(",\"first_list_server_cpu_ms\":").append(MixBench.fmt((cpu1 - cpu0) * 1000.0 / CLOCK_TICKS));
                out.append(",\"first_total_server_cpu_ms\":").append(MixBench.fmt((cpu2 - cpu1) * 1000.0 / CLOCK_TICKS));
            }

            if (only.contains("list")) timed(out, "list", c, list, warmup, repeats, JmapBench::checkList, pid);
            if (only.contains("query")) {
                String q = request("[\"Email/query\"," + query + "},\"q\"]");
                timed(out, "query", c, q, warmup, repeats, JmapBench::checkQuery, pid);
            }
            if (only.contains("total")) timed(out, "total", c, totalQuery, warmup, repeats, JmapBench::checkQuery, pid);
            if (only.contains("get")) {
                StringBuilder idList = new StringBuilder("[");
                for (Object id : ids) idList.append(idList.length() > 1 ? "," : "").append(Text.json((String) id));
                String g = request("[\"Email/get\",{\"accountId\":" + Text.json(acc) + ",\"ids\":" + idList + "],\"properties\":"
                        + LIST_PROPERTIES + "},\"g\"]");
                timed(out, "get", c, g, warmup, repeats, r -> checkGet(r, 0), pid);
            }
            if (only.contains("push") && pushes > 0) push(c, target, smtpPort, user, list, pushes, out);
        }
        System.out.println(out.append(",\"load_after\":").append(loadAverage()).append('}'));
        return 0;
    }

    private static String request(String calls) {
        return "{\"using\":[\"" + JmapClient.CORE + "\",\"" + JmapClient.MAIL + "\"],\"methodCalls\":[" + calls + "]}";
    }

    /** The id of the mailbox with role "inbox" (RFC 8621 §2). */
    private static String inboxId(JmapClient c, String acc) throws IOException, InterruptedException {
        Object r = c.call(request("[\"Mailbox/get\",{\"accountId\":" + Text.json(acc) + ",\"properties\":[\"role\"]},\"m\"]"));
        if (JsonParser.at(r, "methodResponses", 0, 1, "list") instanceof List<?> l) {
            for (Object m : l) {
                if ("inbox".equals(JsonParser.at(m, "role"))) return (String) JsonParser.at(m, "id");
            }
        }
        throw new IOException("no mailbox with role inbox");
    }

    private interface Check {
        void accept(HttpResponse<byte[]> r) throws IOException;
    }

    /**
     * Appends {@code NAME_ms} statistics and, with the server's {@code pid}, {@code NAME_server_cpu_ms}: the
     * server's CPU time (user + system, all its threads) per timed request, which depends less than
     * wall time on what else the machine runs (but includes any background work of the server).
     */
    private static void timed(StringBuilder out, String name, JmapClient c, String body, int warmup, int repeats, Check check,
            long pid) throws IOException, InterruptedException {
        for (int i = 0; i < warmup; i++) check.accept(c.post(body));
        long cpu0 = pid > 0 ? cpuTicks(pid) : -1;
        double[] ms = time(c, body, repeats, check);
        long cpu1 = pid > 0 ? cpuTicks(pid) : -1;
        out.append(",\"").append(name).append("_ms\":").append(stats(ms));
        if (cpu0 >= 0 && cpu1 >= 0) {
            out.append(",\"").append(name).append("_server_cpu_ms\":").append(MixBench.fmt((cpu1 - cpu0) * 1000.0 / CLOCK_TICKS / repeats));
        }
    }

    private static double[] time(JmapClient c, String body, int repeats, Check check) throws IOException, InterruptedException {
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t = System.nanoTime();
            HttpResponse<byte[]> r = c.post(body);
            long dt = System.nanoTime() - t;
            check.accept(r); // outside the timing: a client would render, not parse twice
            ms[i] = dt / 1e6;
        }
        return ms;
    }

    /** The ids of a query+get answer: a full page, each with every list property. */
    private static List<?> checkList(HttpResponse<byte[]> r) throws IOException {
        Object o = JmapClient.check(r);
        if (!"Email/query".equals(JsonParser.at(o, "methodResponses", 0, 0))) throw new IOException("no Email/query response");
        if (!(JsonParser.at(o, "methodResponses", 0, 1, "ids") instanceof List<?> ids)) throw new IOException("Email/query without ids");
        if (ids.size() != PAGE) throw new IOException("Email/query returned " + ids.size() + " ids, not " + PAGE);
        checkGet(r, 1);
        return ids;
    }

    private static void checkQuery(HttpResponse<byte[]> r) throws IOException {
        Object ids = JsonParser.at(JmapClient.check(r), "methodResponses", 0, 1, "ids");
        if (!(ids instanceof List<?> l) || l.size() != PAGE) throw new IOException("Email/query did not return " + PAGE + " ids");
    }

    private static void checkGet(HttpResponse<byte[]> r, int index) throws IOException {
        Object o = JmapClient.check(r);
        if (!"Email/get".equals(JsonParser.at(o, "methodResponses", index, 0))) throw new IOException("no Email/get response");
        if (!(JsonParser.at(o, "methodResponses", index, 1, "list") instanceof List<?> list) || list.size() != PAGE) {
            throw new IOException("Email/get did not return " + PAGE + " emails");
        }
        for (Object e : list) {
            if (!(e instanceof Map<?, ?> m) || !m.keySet().containsAll(List.of("id", "threadId", "mailboxIds", "keywords", "from",
                    "subject", "receivedAt", "size", "preview"))) {
                throw new IOException("an email lacks a list property: " + Text.shorten(String.valueOf(e)));
            }
        }
    }

    /**
     * Delivers {@code n} messages, each tagged with its number and send time, and times each until the
     * StateChange arrives. After each event the newest message of the inbox must be the one sent.
     */
    private static void push(JmapClient c, Target target, int smtpPort, String rcpt, String list, int n, StringBuilder out)
            throws IOException, InterruptedException {
        BlockingQueue<JmapClient.Event> events = JmapClient.newQueue();
        double[] push = new double[n];
        double[] accepted = new double[n];
        double[] relist = new double[n];
        int got = 0;
        int missed = 0;
        try (AutoCloseable stream = c.eventSource("Email", events);
                Socket s = new Socket()) {
            s.connect(new InetSocketAddress(target.address(), smtpPort), 10_000);
            s.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream w = s.getOutputStream();
            smtpExpect(in, "220");
            smtpSend(w, "EHLO push-bench.test");
            smtpExpect(in, "250");
            String run = Long.toHexString(System.currentTimeMillis());
            for (int i = 0; i < n; i++) {
                Thread.sleep(PUSH_GAP_MILLIS);
                events.clear();
                String subject = "push " + run + " " + i;
                smtpSend(w, "MAIL FROM:<push-bench@push-bench.test>");
                smtpExpect(in, "250");
                smtpSend(w, "RCPT TO:<" + rcpt + ">");
                smtpExpect(in, "250");
                smtpSend(w, "DATA");
                smtpExpect(in, "354");
                smtpSend(w, "From: <push-bench@push-bench.test>\r\nTo: <" + rcpt + ">\r\nSubject: " + subject
                        + "\r\nMessage-ID: <push-" + run + "-" + i + "@push-bench.test>\r\nDate: "
                        + java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(java.time.ZonedDateTime.now())
                        + "\r\nX-Bench-Sent-Millis: " + System.currentTimeMillis() + "\r\n\r\npush latency probe " + i + "\r\n");
                long t0 = System.nanoTime();
                smtpSend(w, ".");
                smtpExpect(in, "250");
                accepted[i] = (System.nanoTime() - t0) / 1e6;
                JmapClient.Event e = null;
                long deadline = t0 + PUSH_DEADLINE_NANOS;
                while (e == null && System.nanoTime() < deadline) {
                    JmapClient.Event next = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (next != null && next.type().equals("state") && next.data().contains("\"Email\"")) e = next;
                }
                if (e == null) {
                    missed++;
                    push[i] = Double.NaN;
                    continue;
                }
                push[i] = (e.nanos() - t0) / 1e6;
                // What a client does on the StateChange: the list again, now on a changed mailbox.
                long t = System.nanoTime();
                HttpResponse<byte[]> r = c.post(list);
                relist[got++] = (System.nanoTime() - t) / 1e6;
                checkList(r);
                Object top = JsonParser.at(JmapClient.check(r), "methodResponses", 1, 1, "list", 0, "subject");
                if (!subject.equals(top)) throw new IOException("after the event the newest email is '" + top + "', not '" + subject + "'");
            }
            smtpSend(w, "QUIT");
        } catch (IOException | InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        double[] arrived = Arrays.stream(push).filter(d -> !Double.isNaN(d)).toArray();
        out.append(",\"pushes\":").append(n).append(",\"push_missed\":").append(missed)
                .append(",\"push_ms\":").append(arrived.length == 0 ? "null" : stats(arrived))
                .append(",\"list_after_change_ms\":").append(got == 0 ? "null" : stats(Arrays.copyOf(relist, got)))
                .append(",\"smtp_250_ms\":").append(stats(accepted));
    }

    private static void smtpSend(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads one (possibly multi-line) SMTP reply and checks its code (RFC 5321 §4.2.1). */
    private static void smtpExpect(BufferedReader in, String code) throws IOException {
        String l;
        int lines = 0;
        do {
            l = in.readLine();
            if (l == null) throw new IOException("SMTP server closed the connection");
            if (++lines > 100) throw new IOException("SMTP reply longer than 100 lines");
        } while (l.length() > 3 && l.charAt(3) == '-');
        if (!l.startsWith(code)) throw new IOException("SMTP: expected " + code + ", got " + Text.shorten(l));
    }

    /** {"min":..,"median":..,"p90":..,"max":..,"n":..} of samples in milliseconds. */
    static String stats(double[] ms) {
        double[] v = ms.clone();
        Arrays.sort(v);
        return "{\"min\":" + MixBench.fmt(v[0]) + ",\"median\":" + MixBench.fmt(Latencies.median(v)) + ",\"p90\":"
                + MixBench.fmt(percentile(v, 90)) + ",\"max\":" + MixBench.fmt(v[v.length - 1]) + ",\"n\":" + v.length + "}";
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int idx = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100.0 * sorted.length) - 1));
        return sorted[idx];
    }

    /**
     * utime + stime of a process in clock ticks (proc(5): fields 14 and 15 of /proc/PID/stat, counted
     * after the parenthesised command name, which may contain spaces), or -1 where unavailable.
     */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The 1-minute load average, as a JSON number, or null where /proc/loadavg does not exist. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "null";
        }
    }
}
