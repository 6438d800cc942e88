// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AcmeChallengeHandlerTest {
    @TempDir
    Path dir;

    @Test
    void onlyBase64UrlTokensNameFiles() {
        assertThat(AcmeChallengeHandler.TOKEN.matcher("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA").matches()).isTrue();
        for (String hostile : List.of("../../etc/passwd", "..", "a/b", "tok%2e%2e", "short", "x".repeat(300), "tok en____________",
                "abc\u0000defghijklmnopqrs", "abcdefghijklmnop.tmp")) {
            assertThat(AcmeChallengeHandler.TOKEN.matcher(hostile).matches()).as(hostile).isFalse();
        }
    }

    @Test
    void putAndRemove() throws IOException {
        String token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
        AcmeChallengeHandler.put(dir, token, token + ".thumbprint");
        assertThat(Files.readString(dir.resolve(token))).isEqualTo(token + ".thumbprint");
        AcmeChallengeHandler.remove(dir, token);
        assertThat(dir.resolve(token)).doesNotExist();
        assertThatThrownBy(() -> AcmeChallengeHandler.put(dir, "../../outside-the-folder", "x")).isInstanceOf(IOException.class);
        assertThat(dir.getParent().resolve("outside-the-folder")).doesNotExist();
    }
}
