/** Byte length of `text` in UTF-8, without allocating (lone surrogates count as U+FFFD: 3 bytes). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes a message carries: UTF-8 bytes of text, the length of binary data. The one size rule of SendData. */
export function sendDataSize(data: string | Uint8Array | ArrayBuffer): number {
  return typeof data === 'string' ? utf8Length(data) : data.byteLength;
}

let encoder: TextEncoder | undefined;

/** `data` as bytes: text is encoded as UTF-8, an ArrayBuffer is wrapped without copying. */
export function toBytes(data: string | Uint8Array | ArrayBuffer): Uint8Array {
  if (typeof data === 'string') return (encoder ??= new TextEncoder()).encode(data);
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}
