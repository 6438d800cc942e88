// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.method;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.postern.core.mime.Address;
import org.postern.core.mime.AddressParser;
import org.postern.core.mime.DateParser;
import org.postern.core.mime.EncodedWords;
import org.postern.core.mime.Header;
import org.postern.core.mime.Headers;
import org.postern.jmap.proto.Json;

/**
 * Header field values in the parsed forms of RFC 8621 §4.1.2 (Raw, Text, Addresses,
 * GroupedAddresses, MessageIds, Date, URLs), for "header:Name[:asForm][:all]" properties (§4.1.3).
 */
public final class HeaderForms {
    private static final Pattern PROPERTY = Pattern.compile(
            "header:([\\x21-\\x39\\x3b-\\x7e]{1,200})(?::as(Raw|Text|Addresses|GroupedAddresses|MessageIds|Date|URLs))?(:all)?");
    private static final Pattern MSG_ID = Pattern.compile("<([^<>\\s]+@[^<>\\s]+)>");
    private static final Pattern URL = Pattern.compile("<([^<>\\s]+)>");

    private HeaderForms() {}

    public static boolean valid(String property) {
        return PROPERTY.matcher(property).matches();
    }

    /** Sets {@code property} on {@code o} from the headers; an invalid property name sets nothing. */
    public static void put(ObjectNode o, String property, Headers headers) {
        Matcher m = PROPERTY.matcher(property);
        if (!m.matches()) return;
        String name = m.group(1);
        String form = m.group(2) == null ? "Raw" : m.group(2);
        boolean all = m.group(3) != null;
        List<Header> fields = headers.fields(name);
        if (all) {
            ArrayNode a = o.putArray(property);
            for (Header h : fields) a.add(value(form, h.rawValue()));
        } else {
            o.set(property, fields.isEmpty() ? NullNode.instance : value(form, fields.get(fields.size() - 1).rawValue()));
        }
    }

    /** The last instance of a header in a form, or JSON null. */
    public static JsonNode last(Headers headers, String name, String form) {
        List<Header> fields = headers.fields(name);
        return fields.isEmpty() ? NullNode.instance : value(form, fields.get(fields.size() - 1).rawValue());
    }

    static JsonNode value(String form, String raw) {
        return switch (form) {
            case "Raw" -> Json.object().textNode(raw);
            case "Text" -> Json.object().textNode(text(raw));
            case "Addresses" -> addresses(raw);
            case "GroupedAddresses" -> grouped(raw);
            case "MessageIds" -> messageIds(raw);
            case "Date" -> date(raw);
            case "URLs" -> urls(raw);
            default -> NullNode.instance;
        };
    }

    static String text(String raw) {
        return EncodedWords.decode(raw.replaceAll("\r?\n(?=[ \t])", "")).strip();
    }

    private static ObjectNode address(Address a) {
        ObjectNode o = Json.object();
        String n = a.displayName();
        o.put("name", n == null || n.isBlank() ? null : EncodedWords.decode(n));
        o.put("email", a.addrSpec());
        return o;
    }

    static ArrayNode addresses(String raw) {
        ArrayNode out = Json.array();
        for (Address a : AddressParser.parseList(unfold(raw))) {
            if (a.isMailbox()) out.add(address(a));
        }
        return out;
    }

    static ArrayNode grouped(String raw) {
        ArrayNode out = Json.array();
        ObjectNode ungrouped = null;
        ObjectNode group = null;
        for (Address a : AddressParser.parseList(unfold(raw))) {
            if (a.isGroupStart()) {
                group = out.addObject();
                group.put("name", EncodedWords.decode(a.group()));
                group.putArray("addresses");
                ungrouped = null;
            } else if (a.isGroupEnd()) {
                group = null;
            } else if (group != null) {
                ((ArrayNode) group.get("addresses")).add(address(a));
            } else {
                if (ungrouped == null) {
                    ungrouped = out.addObject();
                    ungrouped.putNull("name");
                    ungrouped.putArray("addresses");
                }
                ((ArrayNode) ungrouped.get("addresses")).add(address(a));
            }
        }
        return out;
    }

    static JsonNode messageIds(String raw) {
        Matcher m = MSG_ID.matcher(unfold(raw));
        List<String> ids = new ArrayList<>();
        while (m.find() && ids.size() < 1000) ids.add(m.group(1));
        if (ids.isEmpty()) return NullNode.instance;
        ArrayNode a = Json.array();
        ids.forEach(a::add);
        return a;
    }

    static JsonNode date(String raw) {
        return DateParser.parse(unfold(raw).strip())
                .<JsonNode>map(d -> Json.object().textNode(d.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)))
                .orElse(NullNode.instance);
    }

    static JsonNode urls(String raw) {
        Matcher m = URL.matcher(unfold(raw));
        ArrayNode a = Json.array();
        while (m.find() && a.size() < 1000) a.add(m.group(1));
        return a.isEmpty() ? NullNode.instance : a;
    }

    private static String unfold(String raw) {
        return raw.replaceAll("\r?\n(?=[ \t])", "");
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
