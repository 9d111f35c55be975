/** RGBA pixels. */
interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * The EXIF orientation (1-8; 1 when absent or unreadable) from a JPEG's APP1 payload as jpeg-js
 * returns it (`exifBuffer`, starting at the TIFF header).
 */
export function exifOrientation(exif: Uint8Array | undefined): number {
  // jpeg-js cuts the APP1 payload after `Exif\0`, leaving the second `\0` in front.
  const tiff = exif?.[0] === 0 ? exif.subarray(1) : exif;
  if (!tiff || tiff.length < 14) return 1;
  return orientationIn(tiff);
}

function orientationIn(exif: Uint8Array): number {
  const view = new DataView(exif.buffer, exif.byteOffset, exif.byteLength);
  const little = view.getUint16(0) === 0x4949;
  const u16 = (at: number) => view.getUint16(at, little);
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > exif.length) return 1;
  const count = u16(ifd);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > exif.length) return 1;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8);
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

/** The image as a viewer shows it: rotated and mirrored by its EXIF `orientation`. */
export function orient(image: Rgba, orientation: number): Rgba {
  if (orientation === 1) return image;
  const { width: w, height: h, data } = image;
  const swap = orientation >= 5;
  const [ow, oh] = swap ? [h, w] : [w, h];
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Where stored pixel (x, y) lands in the displayed image.
      let [dx, dy] = [x, y];
      if (orientation === 2) dx = w - 1 - x;
      else if (orientation === 3) [dx, dy] = [w - 1 - x, h - 1 - y];
      else if (orientation === 4) dy = h - 1 - y;
      else if (orientation === 5) [dx, dy] = [y, x];
      else if (orientation === 6) [dx, dy] = [h - 1 - y, x];
      else if (orientation === 7) [dx, dy] = [h - 1 - y, w - 1 - x];
      else if (orientation === 8) [dx, dy] = [y, w - 1 - x];
      out.set(data.subarray((y * w + x) * 4, (y * w + x) * 4 + 4), (dy * ow + dx) * 4);
    }
  }
  return { width: ow, height: oh, data: out };
}
