// SPDX-License-Identifier: Apache-2.0
package org.postern.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ElasticOutputStreamTest {

    /** Counts what reaches the socket, so a test can tell buffered writes from passed-through ones. */
    private static final class Sink extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<Integer> writes = new ArrayList<>();

        @Override
        public void write(int b) {
            bytes.write(b);
            writes.add(1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            writes.add(len);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void bytesArriveInOrderWhateverTheWriteSizes(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        Sink sink = new Sink();
        ElasticOutputStream out = new ElasticOutputStream(sink);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (int i = 0; i < 300; i++) {
            int kind = rnd.nextInt(10);
            if (kind == 0) {
                int b = rnd.nextInt(256);
                out.write(b);
                expected.write(b);
            } else if (kind == 1) {
                out.flush();
                assertThat(out.capacity()).isZero();
            } else {
                // Sizes around every boundary: empty, below MIN, around MAX, far above MAX.
                int[] sizes = {0, 1, 511, 512, 513, 4000, 16383, 16384, 16385, 70_000};
                byte[] chunk = new byte[sizes[rnd.nextInt(sizes.length)]];
                rnd.nextBytes(chunk);
                int off = chunk.length == 0 ? 0 : rnd.nextInt(Math.min(chunk.length, 7) + 1);
                out.write(chunk, off, chunk.length - off);
                expected.write(chunk, off, chunk.length - off);
            }
            assertThat(out.capacity()).isLessThanOrEqualTo(ElasticOutputStream.MAX);
        }
        out.flush();
        assertThat(sink.bytes.toByteArray()).isEqualTo(expected.toByteArray());
    }

    @Test
    void aSmallReplyIsOneWriteAndTheBufferGoesAfterFlush() throws IOException {
        Sink sink = new Sink();
        ElasticOutputStream out = new ElasticOutputStream(sink);
        assertThat(out.capacity()).isZero();
        for (int i = 0; i < 100; i++) out.write("* 1 FETCH (FLAGS (\\Seen))\r\n".getBytes());
        assertThat(sink.writes).isEmpty();
        assertThat(out.capacity()).isBetween(2048, 4096);
        out.flush();
        assertThat(sink.writes).hasSize(1);
        assertThat(out.capacity()).isZero();
    }

    @Test
    void aLargeReplyIsWrittenInPiecesOfAtMostMax() throws IOException {
        Sink sink = new Sink();
        ElasticOutputStream out = new ElasticOutputStream(sink);
        byte[] line = new byte[1000];
        for (int i = 0; i < 100; i++) out.write(line);
        out.flush();
        assertThat(sink.bytes.size()).isEqualTo(100_000);
        assertThat(sink.writes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(ElasticOutputStream.MAX));
        assertThat(sink.writes.size()).isLessThan(10);
    }
}
