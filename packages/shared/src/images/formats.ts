import type { ImageFormat } from './sniff';

export interface ImageFormatInfo {
  /** The format's usual name, as in messages: `HEIC`, `JPEG XL`. */
  readonly name: string;
  /** What a user may not know about it, in parentheses after the name. */
  readonly about?: string;
  /** Whether training and inference decode it. */
  readonly decodes: boolean;
  /** For formats that do not decode: what to convert to, and how, in words. */
  readonly convert?: string;
}

const EXPORT_PNG = 'convert it to PNG or JPEG';

/**
 * Every format `sniffImageFormat` names. `decodes` is what this platform's sharp (libvips 8.18
 * with libheif built for AV1 only) reads, plus BMP, which is decoded here (`bmp.ts`): HEVC-coded
 * HEIC/HEIF, JPEG XL, JPEG 2000, ICO, PSD and PDF have no decoder in the build, and SVG, which it
 * could render, is refused on purpose: a vector drawing has no pixel size of its own, and librsvg
 * would follow references to other files.
 */
export const IMAGE_FORMATS: Readonly<Record<ImageFormat, ImageFormatInfo>> = {
  jpeg: { name: 'JPEG', decodes: true },
  png: { name: 'PNG', decodes: true },
  webp: { name: 'WebP', decodes: true },
  gif: { name: 'GIF', decodes: true },
  bmp: { name: 'BMP', decodes: true },
  tiff: { name: 'TIFF', decodes: true },
  avif: { name: 'AVIF', decodes: true },
  heic: {
    name: 'HEIC',
    about: "iPhone's default photo format",
    decodes: false,
    convert:
      'convert it to JPEG (on macOS: Preview > File > Export, or `sips -s format jpeg photo.heic --out photo.jpg`; on iPhone: Settings > Camera > Formats > Most Compatible)',
  },
  heif: {
    name: 'HEIF',
    about: 'the container of HEIC photos',
    decodes: false,
    convert:
      'convert it to JPEG (on macOS: Preview > File > Export, or `sips -s format jpeg photo.heif --out photo.jpg`)',
  },
  jxl: {
    name: 'JPEG XL',
    decodes: false,
    convert: `${EXPORT_PNG} (\`djxl photo.jxl photo.png\`)`,
  },
  jp2: { name: 'JPEG 2000', decodes: false, convert: EXPORT_PNG },
  ico: { name: 'ICO', about: 'a Windows icon', decodes: false, convert: EXPORT_PNG },
  psd: {
    name: 'PSD',
    about: 'a Photoshop document',
    decodes: false,
    convert: `${EXPORT_PNG} (in Photoshop: File > Export > Export As)`,
  },
  svg: {
    name: 'SVG',
    about: 'a vector drawing',
    decodes: false,
    convert: 'render it to a PNG at the size you want',
  },
  pdf: {
    name: 'PDF',
    about: 'a document',
    decodes: false,
    convert: 'export the page as a PNG or JPEG image',
  },
};

/** The formats that decode, in words: `JPEG, PNG, WebP, GIF, BMP, TIFF or AVIF`. */
export const DECODED_IMAGE_FORMATS = (() => {
  const names = Object.values(IMAGE_FORMATS)
    .filter((f) => f.decodes)
    .map((f) => f.name);
  return `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
})();

/** `HEIC (iPhone's default photo format)`. */
export function imageFormatName(format: ImageFormat): string {
  const info = IMAGE_FORMATS[format];
  return info.about ? `${info.name} (${info.about})` : info.name;
}

const IMAGE_EXTENSIONS =
  /\.(jpe?g|jfif|png|webp|gif|bmp|dib|tiff?|avif|hei[cf]|jxl|jp2|j2k|ico|cur|psd|svgz?|pdf)$/i;

/** True when a file's name ends with the extension of one of the formats above (`.jpg`, `.HEIC`). */
export function namedLikeImage(name: string): boolean {
  return IMAGE_EXTENSIONS.test(name);
}
