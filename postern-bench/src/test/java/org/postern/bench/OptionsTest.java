// SPDX-License-Identifier: Apache-2.0
package org.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OptionsTest {
    private static Options parse(String... args) {
        return Options.parse(List.of(args), Set.of("port", "clients"), Set.of("ssl"));
    }

    @Test
    void valuesAndFlags() {
        Options o = parse("--port", "993", "--ssl", "--clients=7");
        assertThat(o.integer("port", 0, 1, 65535)).isEqualTo(993);
        assertThat(o.integer("clients", 0, 1, 100)).isEqualTo(7);
        assertThat(o.flag("ssl")).isTrue();
        assertThat(o.integer("missing", 5, 1, 10)).isEqualTo(5);
    }

    @Test
    void refusals() {
        assertThatThrownBy(() -> parse("--prot", "1")).hasMessageContaining("unknown option --prot");
        assertThatThrownBy(() -> parse("--port")).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> parse("--ssl=yes")).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> parse("stray")).hasMessageContaining("unexpected argument");
        assertThatThrownBy(() -> parse("--clients", "1000").integer("clients", 1, 1, 100)).hasMessageContaining("from 1 to 100");
        assertThatThrownBy(() -> parse("--clients", "x").integer("clients", 1, 1, 100)).hasMessageContaining("not 'x'");
    }
}
