// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postern.jmap.proto.JmapLimits;
import org.postern.store.Mailbox;

/** RFC 8621 §6 Identity, §7 EmailSubmission and §8 VacationResponse against a real store. */
class JmapSubmissionTest {
    static final String USING = "[\"urn:ietf:params:jmap:core\",\"urn:ietf:params:jmap:mail\","
            + "\"urn:ietf:params:jmap:submission\",\"urn:ietf:params:jmap:vacationresponse\"]";

    @TempDir
    Path tmp;
    JmapFixture f;
    JmapClient c;
    FakeSubmitter sender;
    long alice;
    long bob;

    @BeforeEach
    void start() throws Exception {
        f = new JmapFixture(tmp, JmapLimits.DEFAULT);
        f.user("alice@example.test", "pw");
        f.user("bob@example.test", "pw");
        sender = new FakeSubmitter(f.store);
        f.jmap.sendingWith(sender);
        c = f.client("alice@example.test", "pw");
        alice = f.store.directory().account("alice@example.test").orElseThrow().id();
        bob = f.store.directory().account("bob@example.test").orElseThrow().id();
    }

    @AfterEach
    void stop() {
        f.close();
    }

    JsonNode call(String methodCalls) throws Exception {
        var r = c.post("{\"using\":" + USING + ",\"methodCalls\":" + methodCalls.replace("$A", c.accountId()) + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JmapClient.JSON.readTree(r.body()).get("methodResponses");
    }

    JsonNode one(String method, String args) throws Exception {
        JsonNode r = call("[[\"" + method + "\"," + args + ",\"c\"]]").get(0);
        assertThat(r.get(0).asText()).as(r.toString()).isEqualTo(method);
        return r.get(1);
    }

    /** A message in alice's Drafts; its Email id. */
    String draft(String headers) throws Exception {
        Mailbox drafts = f.store.mailboxes().find(alice, "Drafts").orElseThrow();
        byte[] raw = (headers + "Subject: Lunch\r\nMessage-ID: <d1@example.test>\r\n\r\nAt noon?\r\n").getBytes(StandardCharsets.UTF_8);
        var w = f.store.blobs().create();
        w.stream().write(raw);
        String blob = w.commit();
        long uid = f.store.mailboxes().append(alice, drafts.id(), blob, raw.length, Set.of("$draft"), Instant.now()).uid();
        return "e" + drafts.id() + "-" + uid;
    }

    String identity() throws Exception {
        return one("Identity/get", "{\"accountId\":\"$A\"}").at("/list/0/id").asText();
    }

    String submit(String emailId, String envelope) throws Exception {
        return "{\"accountId\":\"$A\",\"create\":{\"k1\":{\"identityId\":\"" + identity() + "\",\"emailId\":\"" + emailId + "\""
                + (envelope == null ? "" : ",\"envelope\":" + envelope) + "}}}";
    }

    JsonNode notCreated(String emailId, String envelope) throws Exception {
        JsonNode r = one("EmailSubmission/set", submit(emailId, envelope));
        assertThat(r.path("created").isNull()).as(r.toString()).isTrue();
        return r.at("/notCreated/k1");
    }

    static String env(String from, String... to) {
        StringBuilder b = new StringBuilder("{\"mailFrom\":{\"email\":\"" + from + "\",\"parameters\":null},\"rcptTo\":[");
        for (int i = 0; i < to.length; i++) b.append(i == 0 ? "" : ",").append("{\"email\":\"").append(to[i]).append("\"}");
        return b.append("]}").toString();
    }

    @Test
    void sessionAdvertisesSubmissionAndVacation() throws Exception {
        JsonNode s = c.session();
        assertThat(s.at("/capabilities").has("urn:ietf:params:jmap:vacationresponse")).isTrue();
        JsonNode acc = s.at("/accounts/" + c.accountId() + "/accountCapabilities");
        assertThat(acc.at("/urn:ietf:params:jmap:submission/maxDelayedSend").asInt()).isZero();
        assertThat(acc.at("/urn:ietf:params:jmap:submission/submissionExtensions").isObject()).isTrue();
        assertThat(acc.has("urn:ietf:params:jmap:vacationresponse")).isTrue();
    }

    @Test
    void sendMovesTheDraftToSentInAnImplicitEmailSet() throws Exception {
        String email = draft("From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nBcc: carol@remote.example\r\n");
        String drafts = "m" + f.store.mailboxes().find(alice, "Drafts").orElseThrow().id();
        String sent = "m" + f.store.mailboxes().find(alice, "Sent").orElseThrow().id();
        // RFC 8621 §7.5.1, the example: send, then move Drafts -> Sent and drop $draft.
        JsonNode r = call("[[\"EmailSubmission/set\"," + submit(email, null).replace("}}}", "}},"
                + "\"onSuccessUpdateEmail\":{\"#k1\":{\"mailboxIds/" + drafts + "\":null,\"mailboxIds/" + sent + "\":true,"
                + "\"keywords/$draft\":null}}}") + ",\"0\"]]");
        assertThat(r.size()).as(r.toString()).isEqualTo(2);
        assertThat(r.at("/0/0").asText()).isEqualTo("EmailSubmission/set");
        assertThat(r.at("/1/0").asText()).isEqualTo("Email/set");
        assertThat(r.at("/1/2").asText()).as("same call id").isEqualTo("0");
        JsonNode created = r.at("/0/1/created/k1");
        assertThat(created.path("id").asText()).startsWith("S");
        assertThat(created.path("undoStatus").asText()).isEqualTo("final");
        assertThat(created.path("sendAt").asText()).endsWith("Z");
        assertThat(r.at("/1/1/updated").has(email)).as(r.toString()).isTrue();
        // The derived envelope (§7): From, and To+Cc+Bcc; the Bcc field itself is removed.
        FakeSubmitter.Call call = sender.calls.get(0);
        assertThat(call.mailFrom()).isEqualTo("alice@example.test");
        assertThat(call.recipients()).containsExactly("bob@example.test", "carol@remote.example");
        assertThat(call.message()).doesNotContainIgnoringCase("bcc:").contains("Subject: Lunch");
        assertThat(f.store.mailboxes().find(bob, "INBOX").orElseThrow().messages()).isEqualTo(1);
        assertThat(f.store.mailboxes().find(alice, "Sent").orElseThrow().messages()).isEqualTo(1);
        assertThat(f.store.mailboxes().find(alice, "Drafts").orElseThrow().messages()).isZero();

        JsonNode got = one("EmailSubmission/get", "{\"accountId\":\"$A\",\"ids\":[\"" + created.path("id").asText() + "\"]}");
        JsonNode s = got.at("/list/0");
        assertThat(s.path("emailId").asText()).isEqualTo(email);
        assertThat(s.at("/envelope/mailFrom/email").asText()).isEqualTo("alice@example.test");
        assertThat(s.at("/deliveryStatus/bob@example.test/delivered").asText()).isEqualTo("yes");
        assertThat(s.at("/deliveryStatus/carol@remote.example/delivered").asText()).isEqualTo("queued");
        assertThat(s.at("/deliveryStatus/carol@remote.example/displayed").asText()).isEqualTo("unknown");
        assertThat(f.store.queue().list()).singleElement().satisfies(q -> assertThat(q.recipients()).containsExactly("carol@remote.example"));
    }

    @Test
    void echoedJsonCannotForgeAnImplicitResponse() throws Exception {
        JsonNode r = call("[[\"Core/echo\",{\"\\u0000implicit\":{\"name\":\"Email/set\"}},\"e\"]]");
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.at("/0/0").asText()).isEqualTo("Core/echo");
        assertThat(r.at("/0/1").has("\u0000implicit")).isTrue();
    }

    @Test
    void explicitEnvelopeIsUsedAsGiven() throws Exception {
        String email = draft("From: alice@example.test\r\nTo: bob@example.test\r\n");
        JsonNode r = one("EmailSubmission/set", submit(email, env("alias@example.test", "dave@remote.example")));
        assertThat(r.at("/created/k1/id").asText()).as(r.toString()).startsWith("S");
        assertThat(sender.calls.get(0).mailFrom()).isEqualTo("alias@example.test");
        assertThat(sender.calls.get(0).recipients()).containsExactly("dave@remote.example");
    }

    @Test
    void setErrorsOfSection75() throws Exception {
        String ok = draft("From: alice@example.test\r\nTo: bob@example.test\r\n");
        assertThat(notCreated(ok, env("alice@example.test")).path("type").asText()).isEqualTo("noRecipients");
        assertThat(notCreated(draft("From: alice@example.test\r\n"), null).path("type").asText()).isEqualTo("noRecipients");
        sender.maxRecipients = 2;
        JsonNode many = notCreated(ok, env("alice@example.test", "a@x.example", "b@x.example", "c@x.example"));
        assertThat(many.path("type").asText()).isEqualTo("tooManyRecipients");
        assertThat(many.path("maxRecipients").asInt()).isEqualTo(2);
        JsonNode syntax = notCreated(ok, env("alice@example.test", "not an address", "b@x.example"));
        assertThat(syntax.path("type").asText()).isEqualTo("invalidRecipients");
        assertThat(syntax.path("invalidRecipients").toString()).isEqualTo("[\"not an address\"]");
        JsonNode unknown = notCreated(ok, env("alice@example.test", "nobody@example.test"));
        assertThat(unknown.path("type").asText()).isEqualTo("invalidRecipients");
        assertThat(unknown.path("invalidRecipients").toString()).isEqualTo("[\"nobody@example.test\"]");
        assertThat(notCreated(ok, env("bob@example.test", "bob@example.test")).path("type").asText()).isEqualTo("forbiddenMailFrom");
        String forged = draft("From: boss@example.test\r\nTo: bob@example.test\r\n");
        assertThat(notCreated(forged, env("alice@example.test", "bob@example.test")).path("type").asText()).isEqualTo("forbiddenFrom");
        JsonNode twoFrom = notCreated(draft("From: alice@example.test, bob@example.test\r\nTo: bob@example.test\r\n"), null);
        assertThat(twoFrom.path("type").asText()).isEqualTo("invalidEmail");
        assertThat(twoFrom.path("properties").toString()).isEqualTo("[\"from\"]");
        JsonNode noEmail = notCreated("e999-1", null);
        assertThat(noEmail.path("type").asText()).isEqualTo("invalidProperties");
        assertThat(noEmail.path("properties").toString()).isEqualTo("[\"emailId\"]");
        JsonNode badIdentity = one("EmailSubmission/set", "{\"accountId\":\"$A\",\"create\":{\"k1\":{\"identityId\":\"i999\",\"emailId\":\""
                + ok + "\"}}}").at("/notCreated/k1");
        assertThat(badIdentity.path("properties").toString()).isEqualTo("[\"identityId\"]");
        JsonNode params = notCreated(ok, "{\"mailFrom\":{\"email\":\"alice@example.test\",\"parameters\":{\"HOLDFOR\":\"60\"}},\"rcptTo\":[]}");
        assertThat(params.path("type").asText()).isEqualTo("invalidProperties");
        JsonNode serverSet = one("EmailSubmission/set", "{\"accountId\":\"$A\",\"create\":{\"k1\":{\"identityId\":\"" + identity()
                + "\",\"emailId\":\"" + ok + "\",\"sendAt\":\"2030-01-01T00:00:00Z\"}}}").at("/notCreated/k1");
        assertThat(serverSet.path("properties").toString()).isEqualTo("[\"sendAt\"]");
        sender.maxSize = 10;
        JsonNode big = notCreated(ok, null);
        assertThat(big.path("type").asText()).isEqualTo("tooLarge");
        assertThat(big.path("maxSize").asInt()).isEqualTo(10);
        assertThat(f.store.mailboxes().find(bob, "INBOX").orElseThrow().messages()).as("nothing was sent").isZero();
    }

    @Test
    void unavailableSendingIsForbiddenToSend() throws Exception {
        f.jmap.sendingWith(org.postern.jmap.method.MailSubmitter.UNAVAILABLE);
        JsonNode e = notCreated(draft("From: alice@example.test\r\nTo: bob@example.test\r\n"), null);
        assertThat(e.path("type").asText()).isEqualTo("forbiddenToSend");
        assertThat(e.path("description").asText()).contains("4.3.0");
    }

    @Test
    void cannotUnsendDestroyAndOnSuccessDestroyEmail() throws Exception {
        String email = draft("From: alice@example.test\r\nTo: bob@example.test\r\n");
        String id = one("EmailSubmission/set", submit(email, null)).at("/created/k1/id").asText();
        String state = one("EmailSubmission/get", "{\"accountId\":\"$A\",\"ids\":[]}").path("state").asText();
        JsonNode cancel = one("EmailSubmission/set", "{\"accountId\":\"$A\",\"update\":{\"" + id + "\":{\"undoStatus\":\"canceled\"}}}");
        assertThat(cancel.at("/notUpdated/" + id + "/type").asText()).isEqualTo("cannotUnsend");
        JsonNode immutable = one("EmailSubmission/set", "{\"accountId\":\"$A\",\"update\":{\"" + id + "\":{\"emailId\":\"e1-1\"}}}");
        assertThat(immutable.at("/notUpdated/" + id + "/type").asText()).isEqualTo("invalidProperties");
        JsonNode r = call("[[\"EmailSubmission/set\",{\"accountId\":\"$A\",\"destroy\":[\"" + id + "\",\"S999\"],"
                + "\"onSuccessDestroyEmail\":[\"" + id + "\",\"S999\"]},\"d\"]]");
        assertThat(r.at("/0/1/destroyed").toString()).isEqualTo("[\"" + id + "\"]");
        assertThat(r.at("/0/1/notDestroyed/S999/type").asText()).isEqualTo("notFound");
        assertThat(r.at("/1/0").asText()).isEqualTo("Email/set");
        assertThat(r.at("/1/1/destroyed").toString()).isEqualTo("[\"" + email + "\"]");
        assertThat(f.store.mailboxes().find(alice, "Drafts").orElseThrow().messages()).isZero();
        assertThat(f.store.mailboxes().find(bob, "INBOX").orElseThrow().messages()).as("the delivery stands").isEqualTo(1);
        JsonNode changes = one("EmailSubmission/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state + "\"}");
        assertThat(changes.path("destroyed").toString()).isEqualTo("[\"" + id + "\"]");
        assertThat(changes.path("hasMoreChanges").asBoolean()).isFalse();
        JsonNode bad = call("[[\"EmailSubmission/changes\",{\"accountId\":\"$A\",\"sinceState\":\"zz\"},\"x\"]]");
        assertThat(bad.at("/0/1/type").asText()).isEqualTo("cannotCalculateChanges");
        JsonNode noArgs = call("[[\"EmailSubmission/set\",{\"accountId\":\"$A\",\"onSuccessUpdateEmail\":{\"#x\":true}},\"x\"]]");
        assertThat(noArgs.at("/0/1/type").asText()).isEqualTo("invalidArguments");
    }

    @Test
    void dsnParametersOfTheEnvelopeReachTheQueueEntry() throws Exception {
        // RFC 8621 §7 envelope parameters; RFC 3461 §4 (RET, ENVID, NOTIFY, ORCPT).
        assertThat(c.session().at("/accounts/" + c.accountId() + "/accountCapabilities/urn:ietf:params:jmap:submission"
                + "/submissionExtensions").has("DSN")).isTrue();
        String email = draft("From: alice@example.test\r\nTo: dave@remote.example\r\n");
        String envelope = "{\"mailFrom\":{\"email\":\"alice@example.test\",\"parameters\":{\"RET\":\"HDRS\",\"ENVID\":\"env-1\"}},"
                + "\"rcptTo\":[{\"email\":\"dave@remote.example\",\"parameters\":{\"NOTIFY\":\"SUCCESS,FAILURE\","
                + "\"ORCPT\":\"rfc822;dave@remote.example\"}}]}";
        JsonNode r = one("EmailSubmission/set", submit(email, envelope));
        String id = r.at("/created/k1/id").asText();
        assertThat(r.at("/created/k1/undoStatus").asText()).isEqualTo("pending");
        long queueId = f.store.submissions().get(alice, Long.parseLong(id.substring(1))).orElseThrow().queueId();
        var entry = f.store.queue().get(queueId).orElseThrow();
        assertThat(entry.options().ret()).isEqualTo("HDRS");
        assertThat(entry.options().envId()).isEqualTo("env-1");
        assertThat(entry.optionsOf("dave@remote.example").notifyOn()).isEqualTo("SUCCESS,FAILURE");
        assertThat(entry.optionsOf("dave@remote.example").orcpt()).isEqualTo("dave@remote.example");
        JsonNode bad = notCreated(email, envelope.replace("\"RET\":\"HDRS\"", "\"HOLDFOR\":\"10\""));
        assertThat(bad.path("type").asText()).isEqualTo("invalidProperties");
        assertThat(bad.path("properties").get(0).asText()).isEqualTo("envelope/mailFrom");
    }

    @Test
    void aQueuedSubmissionWaitingForARetryCanBeCanceled() throws Exception {
        String email = draft("From: alice@example.test\r\nTo: dave@remote.example\r\n");
        String id = one("EmailSubmission/set", submit(email, null)).at("/created/k1/id").asText();
        long queueId = f.store.submissions().get(alice, Long.parseLong(id.substring(1))).orElseThrow().queueId();
        // Due now: the queue runner may be delivering it, so it is not pulled from under it.
        JsonNode busy = one("EmailSubmission/set", "{\"accountId\":\"$A\",\"update\":{\"" + id + "\":{\"undoStatus\":\"canceled\"}}}");
        assertThat(busy.at("/notUpdated/" + id + "/type").asText()).isEqualTo("cannotUnsend");
        f.store.queue().deferred(queueId, Instant.now().plusSeconds(3600), "451 4.4.1 no answer");
        JsonNode r = one("EmailSubmission/set", "{\"accountId\":\"$A\",\"update\":{\"" + id + "\":{\"undoStatus\":\"canceled\"}}}");
        assertThat(r.path("updated").has(id)).as(r.toString()).isTrue();
        assertThat(f.store.queue().get(queueId)).isEmpty();
        JsonNode got = one("EmailSubmission/get", "{\"accountId\":\"$A\",\"ids\":[\"" + id + "\"]}");
        assertThat(got.at("/list/0/undoStatus").asText()).isEqualTo("canceled");
        assertThat(r.path("newState").asText()).isNotEqualTo(r.path("oldState").asText());
    }

    @Test
    void queryFiltersAndSorts() throws Exception {
        String e1 = draft("From: alice@example.test\r\nTo: bob@example.test\r\n");
        String s1 = one("EmailSubmission/set", submit(e1, null)).at("/created/k1/id").asText();
        String e2 = draft("From: alice@example.test\r\nTo: bob@example.test\r\n");
        String s2 = one("EmailSubmission/set", submit(e2, null)).at("/created/k1/id").asText();
        JsonNode all = one("EmailSubmission/query", "{\"accountId\":\"$A\",\"sort\":[{\"property\":\"emailId\",\"isAscending\":false}],"
                + "\"calculateTotal\":true}");
        assertThat(all.path("ids").toString()).isEqualTo("[\"" + s2 + "\",\"" + s1 + "\"]");
        assertThat(all.path("total").asInt()).isEqualTo(2);
        assertThat(all.path("canCalculateChanges").asBoolean()).isFalse();
        JsonNode byEmail = one("EmailSubmission/query", "{\"accountId\":\"$A\",\"filter\":{\"emailIds\":[\"" + e1 + "\"],\"undoStatus\":\"final\"}}");
        assertThat(byEmail.path("ids").toString()).isEqualTo("[\"" + s1 + "\"]");
        JsonNode not = one("EmailSubmission/query", "{\"accountId\":\"$A\",\"filter\":{\"operator\":\"NOT\",\"conditions\":[{\"emailIds\":[\""
                + e1 + "\"]}]}}");
        assertThat(not.path("ids").toString()).isEqualTo("[\"" + s2 + "\"]");
        JsonNode future = one("EmailSubmission/query", "{\"accountId\":\"$A\",\"filter\":{\"after\":\"2099-01-01T00:00:00Z\"}}");
        assertThat(future.path("ids").size()).isZero();
        JsonNode badSort = call("[[\"EmailSubmission/query\",{\"accountId\":\"$A\",\"sort\":[{\"property\":\"size\"}]},\"x\"]]");
        assertThat(badSort.at("/0/1/type").asText()).isEqualTo("unsupportedSort");
        JsonNode badFilter = call("[[\"EmailSubmission/query\",{\"accountId\":\"$A\",\"filter\":{\"subject\":\"x\"}},\"x\"]]");
        assertThat(badFilter.at("/0/1/type").asText()).isEqualTo("unsupportedFilter");
        JsonNode qc = call("[[\"EmailSubmission/queryChanges\",{\"accountId\":\"$A\",\"sinceQueryState\":\"0\"},\"x\"]]");
        assertThat(qc.at("/0/1/type").asText()).isEqualTo("cannotCalculateChanges");
    }

    @Test
    void identitySetChangesAndOwnership() throws Exception {
        JsonNode got = one("Identity/get", "{\"accountId\":\"$A\"}");
        String def = got.at("/list/0/id").asText();
        String state0 = got.path("state").asText();
        assertThat(got.at("/list/0/email").asText()).isEqualTo("alice@example.test");
        assertThat(got.at("/list/0/mayDelete").asBoolean()).isFalse();
        JsonNode r = one("Identity/set", "{\"accountId\":\"$A\",\"create\":{"
                + "\"ok\":{\"name\":\"Alias\",\"email\":\"alias@example.test\",\"replyTo\":[{\"name\":null,\"email\":\"r@example.test\"}],"
                + "\"textSignature\":\"-- A\"},"
                + "\"theft\":{\"email\":\"bob@example.test\"},"
                + "\"bad\":{\"email\":\"alice@example.test\",\"replyTo\":\"x\"},"
                + "\"srv\":{\"email\":\"alice@example.test\",\"mayDelete\":false}}}");
        String made = r.at("/created/ok/id").asText();
        assertThat(r.at("/created/ok/mayDelete").asBoolean()).isTrue();
        assertThat(r.at("/notCreated/theft/type").asText()).isEqualTo("forbiddenFrom");
        assertThat(r.at("/notCreated/bad/properties").toString()).isEqualTo("[\"replyTo\"]");
        assertThat(r.at("/notCreated/srv/properties").toString()).isEqualTo("[\"mayDelete\"]");
        JsonNode u = one("Identity/set", "{\"accountId\":\"$A\",\"update\":{\"" + made + "\":{\"name\":\"Ally\",\"bcc\":null},"
                + "\"" + def + "\":{\"email\":\"alias@example.test\"}},\"destroy\":[\"" + def + "\"]}");
        assertThat(u.at("/updated").has(made)).isTrue();
        assertThat(u.at("/notUpdated/" + def + "/type").asText()).isEqualTo("invalidProperties");
        assertThat(u.at("/notDestroyed/" + def + "/type").asText()).isEqualTo("forbidden");
        JsonNode view = one("Identity/get", "{\"accountId\":\"$A\",\"ids\":[\"" + made + "\",\"i999\"]}");
        assertThat(view.at("/list/0/name").asText()).isEqualTo("Ally");
        assertThat(view.at("/list/0/replyTo/0/email").asText()).isEqualTo("r@example.test");
        assertThat(view.at("/list/0/textSignature").asText()).isEqualTo("-- A");
        assertThat(view.path("notFound").toString()).isEqualTo("[\"i999\"]");
        JsonNode ch = one("Identity/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state0 + "\"}");
        assertThat(ch.path("created").toString()).isEqualTo("[\"" + made + "\"]");
        assertThat(ch.path("updated").size()).isZero();
        JsonNode gone = one("Identity/set", "{\"accountId\":\"$A\",\"destroy\":[\"" + made + "\"]}");
        assertThat(gone.path("destroyed").toString()).isEqualTo("[\"" + made + "\"]");
        JsonNode mismatch = call("[[\"Identity/set\",{\"accountId\":\"$A\",\"ifInState\":\"" + state0 + "\",\"destroy\":[]},\"x\"]]");
        assertThat(mismatch.at("/0/1/type").asText()).isEqualTo("stateMismatch");
        JsonNode limited = one("Identity/changes", "{\"accountId\":\"$A\",\"sinceState\":\"" + state0 + "\",\"maxChanges\":1}");
        assertThat(limited.path("hasMoreChanges").asBoolean()).isFalse(); // created then destroyed: one object, nothing to report
        JsonNode zero = call("[[\"Identity/changes\",{\"accountId\":\"$A\",\"sinceState\":\"0\",\"maxChanges\":0},\"x\"]]");
        assertThat(zero.at("/0/1/type").asText()).isEqualTo("invalidArguments");
    }

    @Test
    void vacationResponseIsASingleton() throws Exception {
        JsonNode got = one("VacationResponse/get", "{\"accountId\":\"$A\",\"ids\":null}");
        JsonNode v = got.at("/list/0");
        assertThat(v.path("id").asText()).isEqualTo("singleton");
        assertThat(v.path("isEnabled").asBoolean()).isFalse();
        assertThat(v.path("fromDate").isNull()).isTrue();
        String state0 = got.path("state").asText();
        JsonNode set = one("VacationResponse/set", "{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"isEnabled\":true,"
                + "\"fromDate\":\"2026-07-01T00:00:00Z\",\"toDate\":\"2026-07-15T00:00:00Z\",\"subject\":\"Away\",\"textBody\":\"Back on the 15th\"}},"
                + "\"create\":{\"x\":{}},\"destroy\":[\"singleton\"]}");
        assertThat(set.path("updated").has("singleton")).isTrue();
        assertThat(set.at("/notCreated/x/type").asText()).isEqualTo("singleton");
        assertThat(set.at("/notDestroyed/singleton/type").asText()).isEqualTo("singleton");
        assertThat(set.path("newState").asText()).isNotEqualTo(state0);
        JsonNode after = one("VacationResponse/get", "{\"accountId\":\"$A\",\"ids\":[\"singleton\",\"other\"],\"properties\":[\"isEnabled\",\"toDate\"]}");
        assertThat(after.at("/list/0/isEnabled").asBoolean()).isTrue();
        assertThat(after.at("/list/0/toDate").asText()).isEqualTo("2026-07-15T00:00:00Z");
        assertThat(after.at("/list/0").has("subject")).isFalse();
        assertThat(after.path("notFound").toString()).isEqualTo("[\"other\"]");
        assertThat(f.store.vacation().get(alice).subject()).isEqualTo("Away");
        JsonNode bad = one("VacationResponse/set", "{\"accountId\":\"$A\",\"update\":{\"singleton\":{\"fromDate\":\"yesterday\"},\"x\":{}}}");
        assertThat(bad.at("/notUpdated/singleton/properties").toString()).isEqualTo("[\"fromDate\"]");
        assertThat(bad.at("/notUpdated/x/type").asText()).isEqualTo("notFound");
        // Without the capability in "using" the method is unknown (RFC 8620 §3.6.2).
        JsonNode unknown = c.call("[[\"VacationResponse/get\",{\"accountId\":\"$A\"},\"x\"]]");
        assertThat(unknown.at("/0/1/type").asText()).isEqualTo("unknownMethod");
    }
}
