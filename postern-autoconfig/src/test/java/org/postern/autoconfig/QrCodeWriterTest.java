// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class QrCodeWriterTest {

    static String decode(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        // PURE_BARCODE: the image is the symbol itself, unrotated, with its quiet zone. ZXing's camera-oriented
        // finder-pattern search misplaces about 2% of such pixel-perfect symbols (ChecksumException), which
        // zbarimg reads fine; the test is about the content, not ZXing's detector.
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(w, h, rgb))),
                Map.of(DecodeHintType.PURE_BARCODE, Boolean.TRUE)).getText();
    }

    @Test
    void pngDecodesBackToTheText() throws Exception {
        String url = "https://mail.example.com:8443/autoconfig/apple.mobileconfig?emailaddress=j%C3%B6rg%2Bx%40example.com";
        byte[] png = QrCodeWriter.png(url);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(decode(png)).isEqualTo(url);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isLessThanOrEqualTo(600);
    }

    @Test
    void signedLinksOfManyShapesDecodeBack() throws Exception {
        // Signed profile links differ only in their port, expiry and signature; about 2% of these once
        // failed to decode, so a single sample proves little.
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] sig = new byte[32];
            random.nextBytes(sig);
            String url = "https://localhost:" + (30000 + random.nextInt(30000))
                    + "/autoconfig/apple.mobileconfig?emailaddress=alice%40example.test&expires="
                    + (1_795_000_000L + random.nextInt(1_000_000)) + "&sig=" + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
            assertThat(decode(QrCodeWriter.png(url))).isEqualTo(url);
        }
    }

    @Test
    void longestTextStaysSmall() throws Exception {
        byte[] png = QrCodeWriter.png("x".repeat(QrCodeWriter.MAX_TEXT));
        assertThat(png.length).isLessThan(32 * 1024);
        assertThat(ImageIO.read(new ByteArrayInputStream(png)).getWidth()).isLessThanOrEqualTo(800);
    }

    @Test
    void refusesEmptyAndOversizedText() {
        assertThatThrownBy(() -> QrCodeWriter.png("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> QrCodeWriter.png("x".repeat(QrCodeWriter.MAX_TEXT + 1))).isInstanceOf(IllegalArgumentException.class);
    }
}
