// SPDX-License-Identifier: Apache-2.0
package org.postern.testkit.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server for tests, on 127.0.0.1 (UDP and TCP on the same ephemeral port).
 *
 * <pre>{@code
 * try (FakeDns dns = FakeDns.start()) {
 *     dns.mx("remote.test", 10, "mx.remote.test").a("mx.remote.test", "127.0.0.1");
 *     DnsResolver r = new DnsjavaResolver(dns.address(), Duration.ofSeconds(2));
 * }
 * }</pre>
 */
public final class FakeDns implements AutoCloseable {
    private static final long TTL = 60;

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Set<Name> failing = ConcurrentHashMap.newKeySet();
    private final List<String> queries = new CopyOnWriteArrayList<>();
    private volatile boolean truncateUdp;
    private volatile boolean closed;

    private FakeDns(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
    }

    public static FakeDns start() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        IOException last = null;
        for (int i = 0; i < 20; i++) {
            DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            try {
                ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 50, loopback);
                FakeDns dns = new FakeDns(udp, tcp);
                Thread.ofVirtual().name("fakedns-udp").start(dns::serveUdp);
                Thread.ofVirtual().name("fakedns-tcp").start(dns::serveTcp);
                return dns;
            } catch (IOException e) {
                udp.close(); // the TCP port was taken: try another pair
                last = e;
            }
        }
        throw last;
    }

    /** Where the resolver under test should send its queries. */
    public InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    public int port() {
        return udp.getLocalPort();
    }

    public FakeDns mx(String domain, int preference, String exchange) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, preference, name(exchange)));
    }

    /** RFC 7505: "MX 0 ." */
    public FakeDns nullMx(String domain) {
        return add(new MXRecord(name(domain), DClass.IN, TTL, 0, Name.root));
    }

    public FakeDns a(String host, String ipv4) {
        return add(new ARecord(name(host), DClass.IN, TTL, address(ipv4)));
    }

    public FakeDns aaaa(String host, String ipv6) {
        return add(new AAAARecord(name(host), DClass.IN, TTL, address(ipv6)));
    }

    /** One TXT record; strings longer than 255 octets are split into several character-strings. */
    public FakeDns txt(String name, String text) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 255) parts.add(text.substring(i, Math.min(text.length(), i + 255)));
        if (parts.isEmpty()) parts.add("");
        return add(new TXTRecord(name(name), DClass.IN, TTL, parts));
    }

    /** A name that exists but has no records yet (NODATA for every type). */
    public FakeDns exists(String name) {
        records.computeIfAbsent(name(name), n -> new CopyOnWriteArrayList<>());
        return this;
    }

    /** Questions about this name get SERVFAIL until {@link #heal}. */
    public FakeDns servfail(String name) {
        failing.add(name(name));
        return this;
    }

    public FakeDns heal(String name) {
        failing.remove(name(name));
        return this;
    }

    /** Removes every record of a name (it becomes NXDOMAIN). */
    public FakeDns remove(String name) {
        records.remove(name(name));
        return this;
    }

    /** Sets TC on every UDP answer, forcing clients to ask again over TCP. */
    public FakeDns truncateUdp(boolean on) {
        truncateUdp = on;
        return this;
    }

    /** The questions asked so far, as "TYPE name" ("MX remote.test"), with "tcp:" before TCP ones. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    private FakeDns add(Record r) {
        records.computeIfAbsent(r.getName(), n -> new CopyOnWriteArrayList<>()).add(r);
        return this;
    }

    private static Name name(String s) {
        try {
            String n = s.toLowerCase(Locale.ROOT);
            return Name.fromString(n.endsWith(".") ? n : n + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static InetAddress address(String literal) {
        try {
            // Literals only: no look-up happens for an IP address string.
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** The answer to one query, or null when the query cannot even be read. */
    Message answer(byte[] wire, boolean overTcp) {
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException e) {
            return null;
        }
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) response.getHeader().setFlag(Flags.RD);
        if (question == null) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response;
        }
        response.addRecord(question, Section.QUESTION);
        Name qname = question.getName().canonicalize();
        queries.add((overTcp ? "tcp:" : "") + Type.string(question.getType()) + " " + qname.toString(true));
        if (failing.contains(qname)) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
            return response;
        }
        List<Record> known = records.get(qname);
        if (known == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            return response;
        }
        for (Record r : known) {
            if (r.getType() == question.getType() || question.getType() == Type.ANY) response.addRecord(r, Section.ANSWER);
        }
        return response;
    }

    private void serveUdp() {
        byte[] buf = new byte[65535];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
                byte[] wire = java.util.Arrays.copyOf(p.getData(), p.getLength());
                Message response = answer(wire, false);
                if (response == null) continue;
                int max = 512;
                Message q = new Message(wire);
                OPTRecord opt = q.getOPT();
                if (opt != null) max = Math.max(512, opt.getPayloadSize());
                byte[] out;
                if (truncateUdp) {
                    Message cut = new Message(response.getHeader().getID());
                    cut.getHeader().setFlag(Flags.QR);
                    cut.getHeader().setFlag(Flags.AA);
                    cut.getHeader().setFlag(Flags.TC);
                    cut.addRecord(response.getQuestion(), Section.QUESTION);
                    out = cut.toWire();
                } else {
                    out = response.toWire(max); // sets TC when the answer does not fit
                }
                udp.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (SocketException e) {
                if (closed) return;
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void serveTcp() {
        while (!closed) {
            try {
                Socket s = tcp.accept();
                Thread.ofVirtual().name("fakedns-tcp-conn").start(() -> serveTcp(s));
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    /** RFC 1035 §4.2.2: each message prefixed with its two-octet length; several per connection. */
    private void serveTcp(Socket s) {
        try (s) {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                int len;
                try {
                    len = in.readUnsignedShort();
                } catch (IOException e) {
                    return;
                }
                byte[] wire = in.readNBytes(len);
                if (wire.length < len) return;
                Message response = answer(wire, true);
                if (response == null) return;
                byte[] bytes = response.toWire();
                out.writeShort(bytes.length);
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            if (!closed) throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
