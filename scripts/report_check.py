#!/usr/bin/env python3
"""Browser check of a spectrum-report folder (python3 standard library + headless Chromium).

Usage: report_check.py REPORT_DIR OUT_DIR CHROMIUM

1. every *.svg parses as XML and has a viewBox (xml.etree);
2. index.html is loaded in headless Chromium with a checking script added to a copy of the
   page: every inline <svg> and every standalone SVG (parsed with DOMParser) must parse and
   have a viewBox, every <text>'s getBBox (mapped to viewBox coordinates) must lie inside the
   viewBox, and no two texts of one SVG may overlap;
3. index.html and each SVG are rendered to PNG in OUT_DIR, and each PNG must not be blank
   (decoded with zlib: enough non-white pixels and more than two colours).
Exits 1 with a message per problem.
"""
import html
import json
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib

CHECK_SCRIPT = r"""
<script>
(function () {
  const problems = [];
  const sources = __SOURCES__;
  for (const [name, text] of Object.entries(sources)) {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    if (doc.getElementsByTagName('parsererror').length > 0 || doc.documentElement.localName !== 'svg') {
      problems.push(name + ': does not parse as SVG');
    } else if (!doc.documentElement.getAttribute('viewBox')) {
      problems.push(name + ': no viewBox');
    }
  }
  const svgs = Array.from(document.querySelectorAll('svg'));
  let texts = 0;
  for (const svg of svgs) {
    const id = svg.id || ('svg #' + svgs.indexOf(svg));
    const vb = svg.viewBox && svg.viewBox.baseVal;
    if (!svg.getAttribute('viewBox') || !vb || vb.width <= 0) { problems.push(id + ': no viewBox'); continue; }
    const toRoot = svg.getScreenCTM().inverse();
    const boxes = [];
    for (const t of svg.querySelectorAll('text')) {
      texts += 1;
      const b = t.getBBox();
      const m = toRoot.multiply(t.getScreenCTM());
      const pts = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]]
        .map(([x, y]) => { const p = svg.createSVGPoint(); p.x = x; p.y = y; return p.matrixTransform(m); });
      const box = { x0: Math.min(...pts.map(p => p.x)), x1: Math.max(...pts.map(p => p.x)),
                    y0: Math.min(...pts.map(p => p.y)), y1: Math.max(...pts.map(p => p.y)), s: t.textContent };
      const tol = 0.5;
      if (box.x0 < vb.x - tol || box.y0 < vb.y - tol || box.x1 > vb.x + vb.width + tol || box.y1 > vb.y + vb.height + tol) {
        problems.push(id + ': text "' + box.s + '" overflows the viewBox (' +
          [box.x0, box.y0, box.x1, box.y1].map(v => v.toFixed(1)).join(', ') + ')');
      }
      boxes.push(box);
    }
    // Glyph boxes include ascender/descender space, so allow 2 units of vertical touching.
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], c = boxes[j];
      if (a.x0 < c.x1 - 0.5 && c.x0 < a.x1 - 0.5 && a.y0 < c.y1 - 2 && c.y0 < a.y1 - 2) {
        problems.push(id + ': texts "' + a.s + '" and "' + c.s + '" overlap');
      }
    }
  }
  const result = { problems: problems, svgCount: svgs.length, textCount: texts,
                   bodyText: document.body.innerText.trim().length,
                   height: Math.ceil(document.documentElement.scrollHeight) };
  const pre = document.createElement('pre');
  pre.id = 'report-check-result';
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
})();
</script>
"""


def chromium(binary, *args):
    cmd = [binary, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars',
           '--force-device-scale-factor=1', '--no-first-run', '--disable-extensions', *args]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)


def png_pixels(path):
    """Decode an 8-bit RGB/RGBA (optionally interlace-free) PNG: returns (width, height, channels, rows)."""
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', chunk)
        elif kind == b'IDAT':
            idat.append(chunk)
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(color)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError('unsupported PNG format (depth %d, colour type %d, interlace %d)' % (depth, color, interlace))
    raw = zlib.decompress(b''.join(idat))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = previous[i]
                c = previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


def blank_problem(path):
    width, height, channels, rows = png_pixels(path)
    inked, colours = 0, set()
    for line in rows[::2]:
        for x in range(0, width * channels, channels * 2):
            pixel = bytes(line[x:x + 3])
            if pixel != b'\xff\xff\xff':
                inked += 1
                if len(colours) < 64:
                    colours.add(pixel)
    share = inked / max(1, ((height + 1) // 2) * ((width + 1) // 2))
    if share < 0.002 or len(colours) < 3:
        return '%s looks blank (%.2f %% non-white pixels, %d colours)' % (path, 100 * share, len(colours))
    return None


def main():
    report, out, binary = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    problems = []
    index = os.path.join(report, 'index.html')
    if not os.path.isfile(index):
        print('report-check: %s has no index.html' % report)
        return 1
    svg_files = sorted(f for f in os.listdir(report) if f.endswith('.svg'))
    sources = {}
    for name in svg_files:
        text = open(os.path.join(report, name), encoding='utf-8').read()
        sources[name] = text
        try:
            root = ET.fromstring(text.encode('utf-8'))
            if root.get('viewBox') is None:
                problems.append('%s: no viewBox' % name)
        except ET.ParseError as error:
            problems.append('%s: not well-formed XML (%s)' % (name, error))

    page = open(index, encoding='utf-8').read()
    script = CHECK_SCRIPT.replace('__SOURCES__', json.dumps(sources).replace('</', '<\\/'))
    check_page = os.path.join(out, 'index-check.html')
    with open(check_page, 'w', encoding='utf-8') as f:
        f.write(page.replace('</body>', script + '</body>'))
    dom = chromium(binary, '--virtual-time-budget=5000', '--dump-dom', 'file://' + os.path.abspath(check_page))
    match = re.search(r'<pre id="report-check-result">(.*?)</pre>', dom.stdout, re.S)
    if not match:
        print('report-check: the checking script did not run in Chromium:\n' + dom.stderr[-2000:])
        return 1
    result = json.loads(html.unescape(match.group(1)))
    problems += result['problems']
    if result['svgCount'] < 1 or result['bodyText'] == 0:
        problems.append('index.html is blank (%d SVGs, %d characters of text)' % (result['svgCount'], result['bodyText']))

    shots = [('index.png', index, 1100, min(max(result['height'], 600), 16000))]
    for name in svg_files:
        w, h = 800, 600
        try:
            view_box = ET.fromstring(sources[name].encode('utf-8')).get('viewBox', '0 0 800 600').split()
            w, h = int(float(view_box[2])) + 1, int(float(view_box[3])) + 1
        except (ET.ParseError, IndexError, ValueError):
            pass  # already reported above; still render it for a look
        shots.append((name[:-4] + '.png', os.path.join(report, name), w, h))
    for png, source, w, h in shots:
        target = os.path.join(out, png)
        if os.path.exists(target):
            os.remove(target)
        run = chromium(binary, '--screenshot=' + target, '--window-size=%d,%d' % (w, h), 'file://' + os.path.abspath(source))
        if not os.path.isfile(target):
            problems.append('Chromium wrote no screenshot of %s: %s' % (source, run.stderr[-500:]))
            continue
        problem = blank_problem(target)
        if problem:
            problems.append(problem)

    print('report-check: %d SVGs in the page, %d texts checked, screenshots in %s' % (result['svgCount'], result['textCount'], out))
    for p in problems:
        print('report-check: FAIL: ' + p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
