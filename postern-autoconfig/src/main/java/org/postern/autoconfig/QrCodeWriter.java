// SPDX-License-Identifier: Apache-2.0
package org.postern.autoconfig;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * A QR code (ISO/IEC 18004) as a black-and-white PNG, for a phone's camera to open a URL. Bounded:
 * text longer than {@link #MAX_TEXT} is refused, so the image stays small (at most about 600 pixels
 * a side at {@link #MODULE_PIXELS} per module).
 */
public final class QrCodeWriter {
    public static final int MAX_TEXT = 512;
    static final int MODULE_PIXELS = 6;
    /** The quiet zone the standard asks for around the symbol, in modules. */
    private static final int QUIET_ZONE = 4;

    private QrCodeWriter() {}

    public static byte[] png(String text) {
        if (text.isEmpty() || text.length() > MAX_TEXT) throw new IllegalArgumentException("QR text must be 1.." + MAX_TEXT + " characters");
        BitMatrix m;
        try {
            // Level M: a phone screen or printout with some glare still scans; the symbol stays small.
            m = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
                    Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, QUIET_ZONE,
                            EncodeHintType.CHARACTER_SET, "UTF-8"));
        } catch (WriterException e) {
            throw new IllegalArgumentException("text does not fit a QR code", e);
        }
        int w = m.getWidth() * MODULE_PIXELS;
        int h = m.getHeight() * MODULE_PIXELS;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, m.get(x / MODULE_PIXELS, y / MODULE_PIXELS) ? 0xFF000000 : 0xFFFFFFFF);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            if (!ImageIO.write(img, "png", out)) throw new IllegalStateException("no PNG writer in this JVM");
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toByteArray();
    }
}
