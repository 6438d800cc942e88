// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class QrCodeWriterTest {

    static String decode(byte[] png) throws Exception {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(w, h, rgb)))).getText();
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
