// SPDX-License-Identifier: Apache-2.0
package org.postern.jmap.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 8620 §3.7 result references, with the example of that section. */
class ResultReferencesTest {
    private static final ObjectMapper M = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return M.readTree(s.replace('\'', '"'));
    }

    // The three earlier responses of the RFC 8620 §3.7 example.
    private static List<ResultReferences.Response> earlier() throws Exception {
        return List.of(
                new ResultReferences.Response("Email/query", json("{'accountId':'A1','queryState':'abcdefg','ids':['m1','m2']}"), "t0"),
                new ResultReferences.Response("Email/get", json("{'accountId':'A1','state':'123456','list':["
                        + "{'id':'m1','threadId':'TB12'},{'id':'m2','threadId':'TC23'}],'notFound':[]}"), "t1"),
                new ResultReferences.Response("Thread/get", json("{'accountId':'A1','state':'123456','list':["
                        + "{'id':'TB12','emailIds':['m1','m3']},{'id':'TC23','emailIds':['m2','m4','m5']}],'notFound':[]}"), "t2"));
    }

    @Test
    void theRfcExampleResolvesWithTheStarExtension() throws Exception {
        ObjectNode args = (ObjectNode) json("{'accountId':'A1','#ids':{'resultOf':'t2','name':'Thread/get','path':'/list/*/emailIds'}}");
        ObjectNode out = ResultReferences.resolve(args, earlier());
        assertThat(out.get("ids").toString()).isEqualTo("[\"m1\",\"m3\",\"m2\",\"m4\",\"m5\"]");
        assertThat(out.has("#ids")).isFalse();
        ObjectNode t = (ObjectNode) json("{'#ids':{'resultOf':'t1','name':'Email/get','path':'/list/*/threadId'}}");
        assertThat(ResultReferences.resolve(t, earlier()).get("ids").toString()).isEqualTo("[\"TB12\",\"TC23\"]");
        ObjectNode q = (ObjectNode) json("{'#ids':{'resultOf':'t0','name':'Email/query','path':'/ids'}}");
        assertThat(ResultReferences.resolve(q, earlier()).get("ids").toString()).isEqualTo("[\"m1\",\"m2\"]");
    }

    @Test
    void everyBrokenReferenceIsInvalidResultReference() throws Exception {
        for (String ref : List.of("{'resultOf':'nope','name':'Thread/get','path':'/list'}",
                "{'resultOf':'t2','name':'Email/get','path':'/list'}",
                "{'resultOf':'t2','name':'Thread/get','path':'/nothing'}",
                "{'resultOf':'t2','name':'Thread/get','path':'list'}",
                "{'resultOf':'t2','name':'Thread/get','path':'/list/7'}",
                "{'resultOf':'t2','name':'Thread/get','path':'/accountId/x'}",
                "{'resultOf':'t2','name':'Thread/get'}",
                "'t2'")) {
            ObjectNode args = (ObjectNode) json("{'#ids':" + ref + "}");
            assertThatThrownBy(() -> ResultReferences.resolve(args, earlier())).as(ref)
                    .isInstanceOfSatisfying(MethodError.class, e -> assertThat(e.type()).isEqualTo("invalidResultReference"));
        }
    }

    @Test
    void aPlainAndAReferencedArgumentTogetherAreInvalidArguments() throws Exception {
        ObjectNode args = (ObjectNode) json("{'ids':[],'#ids':{'resultOf':'t0','name':'Email/query','path':'/ids'}}");
        assertThatThrownBy(() -> ResultReferences.resolve(args, earlier()))
                .isInstanceOfSatisfying(MethodError.class, e -> assertThat(e.type()).isEqualTo("invalidArguments"));
    }

    @Test
    void pointerEscapesAreDecoded() throws Exception {
        assertThat(ResultReferences.evaluate(json("{'a/b':{'m~n':5}}"), "/a~1b/m~0n").asInt()).isEqualTo(5);
    }
}
