// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.postern.core.MailAddress;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Reads the request body Outlook POSTs to /autodiscover/autodiscover.xml ([MS-OXDSCLI] §2.2.3):
 * {@code <Autodiscover><Request><EMailAddress>…</EMailAddress><AcceptableResponseSchema>…}.
 *
 * <p>The body comes from anyone on the internet, so: no DOCTYPE at all (that rules out entity
 * expansion bombs and external entities, OWASP's XXE advice), no external DTD or schema fetches,
 * the JDK's secure-processing limits, and at most {@link #MAX_BYTES} octets.
 */
public final class AutodiscoverRequestParser {
    /** Real requests are a few hundred octets. */
    public static final int MAX_BYTES = 16 * 1024;

    private AutodiscoverRequestParser() {}

    public static AutodiscoverRequest parse(byte[] body) {
        if (body == null || body.length == 0) return new AutodiscoverRequest.Invalid("empty request");
        if (body.length > MAX_BYTES) return new AutodiscoverRequest.Invalid("request larger than " + MAX_BYTES + " octets");
        Document doc;
        try {
            doc = builder().parse(new ByteArrayInputStream(body));
        } catch (SAXException | IOException e) {
            return new AutodiscoverRequest.Invalid("not well-formed XML");
        }
        Element root = doc.getDocumentElement();
        if (root == null || !"Autodiscover".equals(root.getLocalName())) {
            return new AutodiscoverRequest.Invalid("the root element is not Autodiscover");
        }
        Element request = child(root, "Request");
        if (request == null) return new AutodiscoverRequest.Invalid("no Request element");
        Element email = child(request, "EMailAddress");
        if (email == null) return new AutodiscoverRequest.Invalid("no EMailAddress");
        String address = email.getTextContent().strip();
        if (MailAddress.parse(address).isEmpty()) return new AutodiscoverRequest.Invalid("EMailAddress is not an address");
        Element schema = child(request, "AcceptableResponseSchema");
        String s = schema == null ? AutodiscoverRequest.OUTLOOK_RESPONSE_SCHEMA : schema.getTextContent().strip();
        return new AutodiscoverRequest.Valid(address, s);
    }

    private static Element child(Element parent, String localName) {
        NodeList kids = parent.getChildNodes();
        for (int i = 0; i < kids.getLength(); i++) {
            Node n = kids.item(i);
            if (n instanceof Element e && localName.equals(e.getLocalName())) return e;
        }
        return null;
    }

    private static DocumentBuilder builder() throws SAXException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            // The default handler prints parse errors to stderr; a hostile client must not fill the log.
            b.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {}

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            b.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entities are not allowed");
            });
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK XML parser lacks a security feature", e);
        }
    }
}
