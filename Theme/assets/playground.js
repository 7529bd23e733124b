// The playground figure: drawing (mouse, touch, pen, keyboard), MNIST-style preprocessing,
// and the live output of VizsiteNetwork (playground-runtime.js). Loaded only on pages that
// have a playground; exposes window.vizsitePlayground for tests.
(function () {
  'use strict';
  const figures = Array.from(document.querySelectorAll('.viz-playground'));
  if (!figures.length || !window.VizsiteNetwork) return;
  const reduceMotion = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const networks = {};
  const text = (key, values) => window.vizsiteText(key, values);

  function network(name) {
    if (!networks[name]) {
      const spec = window.vizsiteModels && window.vizsiteModels[name];
      if (!spec) throw new Error(`the weights of ${name} did not load`);
      networks[name] = new window.VizsiteNetwork(spec);
    }
    return networks[name];
  }

  // Fits the ink into a 20×20 box (of 28×28; scaled for other sizes), keeping its aspect,
  // and centres it by its centre of mass, as MNIST's digits were prepared.
  function preprocess(source, h, w) {
    const size = source.width, ctx = source.getContext('2d');
    const data = ctx.getImageData(0, 0, size, size).data;
    let top = size, left = size, bottom = -1, right = -1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (data[(y * size + x) * 4 + 3] > 0) {
          if (y < top) top = y; if (y > bottom) bottom = y;
          if (x < left) left = x; if (x > right) right = x;
        }
      }
    }
    const pixels = new Float32Array(h * w);
    if (bottom < 0) return pixels;
    const box = Math.round(Math.min(h, w) * 20 / 28);
    const scale = box / Math.max(bottom - top + 1, right - left + 1);
    const bw = Math.max(1, Math.round((right - left + 1) * scale));
    const bh = Math.max(1, Math.round((bottom - top + 1) * scale));
    const small = document.createElement('canvas');
    small.width = bw; small.height = bh;
    const sctx = small.getContext('2d');
    sctx.imageSmoothingEnabled = true;
    sctx.imageSmoothingQuality = 'high';
    sctx.drawImage(source, left, top, right - left + 1, bottom - top + 1, 0, 0, bw, bh);
    const ink = sctx.getImageData(0, 0, bw, bh).data;
    let mass = 0, my = 0, mx = 0;
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) {
        const v = ink[(y * bw + x) * 4 + 3] / 255;
        mass += v; my += v * y; mx += v * x;
      }
    }
    const oy = Math.round(h / 2 - my / mass), ox = Math.round(w / 2 - mx / mass);
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) {
        const ty = y + oy, tx = x + ox;
        if (ty >= 0 && ty < h && tx >= 0 && tx < w) pixels[ty * w + tx] = ink[(y * bw + x) * 4 + 3] / 255;
      }
    }
    return pixels;
  }

  // A map in viridis: magnitudes over the largest for `signed` maps, values over the
  // largest otherwise, or (`minMax`, feature maps) from the smallest to the largest.
  function paint(canvas, rows, signed, minMax) {
    const h = rows.length, w = rows[0].length, ctx = canvas.getContext('2d');
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    let top = 0, low = 0;
    if (minMax) { low = Infinity; top = -Infinity; }
    for (const row of rows) {
      for (const v of row) {
        const m = signed ? Math.abs(v) : v;
        top = Math.max(top, m);
        if (minMax) low = Math.min(low, m);
      }
    }
    const image = ctx.createImageData(w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = top > low ? ((signed ? Math.abs(rows[y][x]) : rows[y][x]) - low) / (top - low) : 0;
        const [r, g, b] = viridis(v), i = (y * w + x) * 4;
        image.data[i] = r; image.data[i + 1] = g; image.data[i + 2] = b; image.data[i + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
  }

  // Viridis at 9 stops (matplotlib's, CC0), interpolated.
  const stops = [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
    [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];
  function viridis(t) {
    const x = Math.min(Math.max(t, 0), 1) * (stops.length - 1), i = Math.min(Math.floor(x), stops.length - 2);
    const f = x - i, a = stops[i], b = stops[i + 1];
    return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f));
  }

  function setUp(root) {
    const name = root.dataset.model, layer = root.dataset.layer;
    const h = +root.dataset.height, w = +root.dataset.width, channels = +root.dataset.channels;
    const draw = root.querySelector('.pg-draw'), seen = root.querySelector('.pg-seen');
    const status = root.querySelector('.pg-status'), select = root.querySelector('.pg-example');
    const examples = JSON.parse(root.querySelector('.pg-examples').textContent);
    const names = Array.from(root.querySelectorAll('.pg-probabilities th')).map((th) => th.textContent);
    const maps = root.querySelector('.pg-feature-maps');
    let lastCaches = null;

    // The live maps' colour scale: viridis from 0 to each map's own largest value.
    const liveMaps = root.querySelector('.pg-maps');
    if (liveMaps && !root.querySelector('.pg-scale')) {
      const scale = document.createElement('div');
      scale.className = 'pg-scale';
      scale.setAttribute('role', 'img');
      scale.setAttribute('aria-label', text('pg_scale'));
      const bar = document.createElement('span');
      bar.className = 'pg-scale-bar';
      bar.style.background = 'linear-gradient(to right, '
        + stops.map((c) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`).join(', ') + ')';
      const low = document.createElement('span'), high = document.createElement('span');
      low.textContent = '0';
      high.textContent = text('pg_scale_high');
      scale.append(low, bar, high);
      liveMaps.after(scale);
    }

    // Every spatial layer's channels, each on its own min–max scale, drawn only while open.
    function paintFeatureMaps(caches) {
      lastCaches = caches;
      const body = maps.querySelector('.pg-layers');
      net.layers.forEach((l, i) => {
        if (l.out.length !== 3) return;
        let row = body.querySelector(`[data-layer="${i}"]`);
        const [lh, lw, lc] = l.out;
        if (!row) {
          row = document.createElement('div');
          row.className = 'pg-layer';
          row.dataset.layer = i;
          const title = document.createElement('p');
          title.textContent = `${l.name} (${lh}×${lw}×${lc})`;
          row.appendChild(title);
          const grid = document.createElement('div');
          grid.className = 'pg-channels';
          for (let k = 0; k < lc; k++) {
            const canvas = document.createElement('canvas');
            canvas.width = lw; canvas.height = lh;
            canvas.className = 'pixelated';
            canvas.setAttribute('aria-hidden', 'true');
            grid.appendChild(canvas);
          }
          row.appendChild(grid);
          body.appendChild(row);
        }
        const out = caches[i].output, canvases = row.querySelectorAll('canvas');
        for (let k = 0; k < lc; k++) {
          const channel = [];
          for (let y = 0; y < lh; y++) {
            const r = new Array(lw);
            for (let x = 0; x < lw; x++) r[x] = out[(y * lw + x) * lc + k];
            channel.push(r);
          }
          paint(canvases[k], channel, false, true);
        }
      });
    }
    if (maps) maps.addEventListener('toggle', () => { if (maps.open && lastCaches) paintFeatureMaps(lastCaches); });
    const ctx = draw.getContext('2d');
    const net = network(name);
    // What the reader drew or picked (values in [0, 1]) and the model's input made from it.
    let picture = new Float32Array(h * w * channels), input = net.toInput(picture), pending = false;
    const gradientMethod = root.querySelector('.pg-gradient-method');
    let smoothTimer = null;
    // Which image the input is, when it is not a drawing (the status names it).
    let source = '';
    // The status line without its SmoothGrad timing, which arrives later.
    let baseStatus = '';

    function setPicture(values) {
      picture = values;
      input = net.toInput(values);
    }

    function show(pixels) {
      const image = seen.getContext('2d').createImageData(w, h);
      for (let p = 0; p < h * w; p++) {
        for (let k = 0; k < 3; k++) {
          image.data[p * 4 + k] = Math.round(255 * pixels[p * channels + (channels === 3 ? k : 0)]);
        }
        image.data[p * 4 + 3] = 255;
      }
      seen.getContext('2d').putImageData(image, 0, 0);
    }

    // A text alternative to the drawing: how much ink, where, and how large.
    function describe(pixels) {
      let mass = 0, my = 0, mx = 0, top = h, bottom = -1, left = w, right = -1;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = pixels[(y * w + x) * channels];
          if (v <= 0) continue;
          mass += v; my += v * y; mx += v * x;
          top = Math.min(top, y); bottom = Math.max(bottom, y); left = Math.min(left, x); right = Math.max(right, x);
        }
      }
      if (bottom < 0) return text('pg_empty');
      return text('pg_ink', {
        percent: (100 * mass / (h * w)).toFixed(0), size: `${h}×${w}`, top: top + 1, bottom: bottom + 1,
        left: left + 1, right: right + 1, row: Math.round(my / mass) + 1, column: Math.round(mx / mass) + 1,
      });
    }

    // SmoothGrad costs a forward and a backward pass per sample: it runs once the input has
    // been still for a moment, not on every frame of a stroke.
    function smoothLater(canvas) {
      clearTimeout(smoothTimer);
      const samples = +gradientMethod.dataset.samples;
      canvas.classList.add('pg-stale');
      smoothTimer = setTimeout(() => {
        const result = net.explain(input, { method: 'smoothgrad', samples });
        paint(canvas, result.map, true);
        canvas.classList.remove('pg-stale');
        status.textContent = `${baseStatus} ${text('pg_smoothgrad_time', { ms: result.ms.toFixed(0) })}`;
      }, 150);
    }

    // A canvas with no ink asks for a digit: no prediction for nothing, no maps of nothing
    // (a blank input had shown "Predicted 5 (10.6 %)" over solid maps).
    function showBlank() {
      root.querySelectorAll('.pg-bar').forEach((bar) => { bar.style.width = '0'; });
      root.querySelectorAll('.pg-p').forEach((cell) => { cell.textContent = '—'; });
      root.querySelectorAll('.pg-maps canvas').forEach((canvas) => {
        canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
      });
      const contrastLabel = root.querySelector('.pg-contrast-label');
      if (contrastLabel) contrastLabel.textContent = '';
      lastCaches = null;
      baseStatus = text('pg_draw');
      status.textContent = baseStatus;
    }

    function update() {
      pending = false;
      show(picture);
      seen.setAttribute('aria-label', describe(picture));
      if (!picture.some((v) => v > 0.1)) { showBlank(); return; }
      // Only the maps the figure shows are computed.
      const salCanvas = root.querySelector('.pg-saliency'), contrastCanvas = root.querySelector('.pg-contrast');
      const smooth = salCanvas && gradientMethod && gradientMethod.value === 'smoothgrad';
      const requests = [{ method: 'gradcam', layer }];
      if (salCanvas && !smooth) requests.push({ method: 'saliency' });
      if (contrastCanvas) requests.push({ method: 'gradcam', layer, contrast: 'runner-up' });
      const results = net.explainAll(input, requests);
      const cam = results[0], sal = salCanvas && !smooth ? results[1] : null;
      const contrast = contrastCanvas ? results[results.length - 1] : null;
      root.querySelectorAll('.pg-bar').forEach((bar) => {
        bar.style.width = `${(cam.probabilities[+bar.dataset.class] * 100).toFixed(1)}%`;
      });
      root.querySelectorAll('.pg-p').forEach((cell) => {
        cell.textContent = `${(cam.probabilities[+cell.dataset.class] * 100).toFixed(1)} %`;
      });
      const camCanvas = root.querySelector('.pg-gradcam');
      if (camCanvas) paint(camCanvas, cam.map, false);
      if (sal) paint(salCanvas, sal.map, true);
      if (contrastCanvas) {
        paint(contrastCanvas, contrast.map, false);
        root.querySelector('.pg-contrast-label').textContent =
          text('pg_contrast', { class: names[contrast.target], other: names[contrast.contrast] });
      }
      lastCaches = cam.caches;
      if (maps && maps.open) paintFeatureMaps(cam.caches);
      const p = cam.probabilities[cam.target];
      const said = { source, class: names[cam.target], p: (p * 100).toFixed(1), ms: cam.ms.toFixed(1) };
      baseStatus = text(source ? 'pg_predicted_source' : 'pg_predicted', said);
      status.textContent = baseStatus;
      if (smooth) smoothLater(salCanvas);
    }
    if (gradientMethod) {
      gradientMethod.addEventListener('change', () => {
        root.querySelector('.pg-saliency-label').textContent =
          text(gradientMethod.value === 'smoothgrad' ? 'pg_smoothgrad_label' : 'pg_gradient_label');
        schedule();
      });
    }

    function schedule() {
      if (pending) return;
      pending = true;
      (reduceMotion ? setTimeout : requestAnimationFrame)(update);
    }

    function fromDrawing() {
      const gray = preprocess(draw, h, w), values = new Float32Array(h * w * channels);
      for (let p = 0; p < h * w; p++) for (let k = 0; k < channels; k++) values[p * channels + k] = gray[p];
      setPicture(values);
      select.value = '';
      source = '';
      schedule();
    }

    function clear() {
      ctx.clearRect(0, 0, draw.width, draw.height);
      setPicture(new Float32Array(h * w * channels));
      select.value = '';
      source = '';
      schedule();
    }

    // A picture the reader picked (an example or a browsed image), drawn large on the
    // canvas as what the network reads, then explained.
    function pick(values, modelInput) {
      ctx.clearRect(0, 0, draw.width, draw.height);
      picture = values;
      input = modelInput || net.toInput(values);
      const big = ctx.createImageData(draw.width, draw.height);
      for (let y = 0; y < draw.height; y++) {
        for (let x = 0; x < draw.width; x++) {
          const p = Math.floor(y * h / draw.height) * w + Math.floor(x * w / draw.width);
          const i = (y * draw.width + x) * 4;
          let v = 0;
          for (let k = 0; k < channels; k++) v += picture[p * channels + k] / channels;
          big.data[i] = big.data[i + 1] = big.data[i + 2] = 255; big.data[i + 3] = Math.round(v * 255);
        }
      }
      ctx.putImageData(big, 0, 0);
      schedule();
    }

    // Drawing with pointer events: mouse, touch and pen alike.
    let last = null;
    function point(event) {
      const r = draw.getBoundingClientRect();
      return [(event.clientX - r.left) * draw.width / r.width, (event.clientY - r.top) * draw.height / r.height];
    }
    function stroke(from, to) {
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = draw.width / 14;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.beginPath();
      ctx.moveTo(from[0], from[1]);
      ctx.lineTo(to[0], to[1]);
      ctx.stroke();
    }
    draw.addEventListener('pointerdown', (event) => {
      draw.setPointerCapture(event.pointerId);
      last = point(event);
      stroke(last, last);
      fromDrawing();
      event.preventDefault();
    });
    draw.addEventListener('pointermove', (event) => {
      if (!last) return;
      const p = point(event);
      stroke(last, p);
      last = p;
      fromDrawing();
    });
    const end = () => { last = null; };
    draw.addEventListener('pointerup', end);
    draw.addEventListener('pointercancel', end);

    // The keyboard: arrows move a pen, space toggles it down, Delete clears.
    let pen = [draw.width / 2, draw.height / 2], down = false;
    draw.addEventListener('keydown', (event) => {
      const step = draw.width / 28;
      const moves = { ArrowUp: [0, -step], ArrowDown: [0, step], ArrowLeft: [-step, 0], ArrowRight: [step, 0] };
      if (moves[event.key]) {
        const next = [Math.min(Math.max(pen[0] + moves[event.key][0], 0), draw.width),
          Math.min(Math.max(pen[1] + moves[event.key][1], 0), draw.height)];
        if (down) { stroke(pen, next); fromDrawing(); }
        pen = next;
      } else if (event.key === ' ') {
        down = !down;
        if (down) { stroke(pen, pen); fromDrawing(); }
      } else if (event.key === 'Delete' || event.key === 'Backspace') {
        clear();
      } else {
        return;
      }
      event.preventDefault();
    });

    root.querySelector('.pg-clear').addEventListener('click', clear);

    // An image file, picked or dropped: drawn to fit the canvas, as light ink on dark
    // (a picture with a light background is inverted), then prepared like a drawing.
    function open(file) {
      if (!file || !/^image\//.test(file.type)) { status.textContent = text('pg_not_image'); return; }
      const url = URL.createObjectURL(file), picture = new Image();
      picture.onload = () => {
        const scratch = document.createElement('canvas');
        scratch.width = draw.width; scratch.height = draw.height;
        const sctx = scratch.getContext('2d'), s = Math.min(draw.width / picture.width, draw.height / picture.height);
        const dw = picture.width * s, dh = picture.height * s;
        sctx.drawImage(picture, (draw.width - dw) / 2, (draw.height - dh) / 2, dw, dh);
        const pixels = sctx.getImageData(0, 0, draw.width, draw.height), d = pixels.data;
        let sum = 0, count = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] === 0) continue;
          sum += (d[i] + d[i + 1] + d[i + 2]) / 3; count += 1;
        }
        const invert = count > 0 && sum / count > 127;
        // The paper's level (the median, most of a digit's picture being background) becomes 0.
        const histogram = new Uint32Array(256);
        const ink = (i) => Math.round(invert ? 255 - (d[i] + d[i + 1] + d[i + 2]) / 3 : (d[i] + d[i + 1] + d[i + 2]) / 3);
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] !== 0) histogram[ink(i)] += 1;
        let paper = 0;
        for (let seen = 0; paper < 255 && seen + histogram[paper] <= count / 2; paper++) seen += histogram[paper];
        for (let i = 0; i < d.length; i += 4) {
          const v = d[i + 3] === 0 || paper >= 255 ? 0 : Math.max(0, ink(i) - paper) * 255 / (255 - paper);
          d[i] = d[i + 1] = d[i + 2] = 255; d[i + 3] = Math.round(v);
        }
        ctx.clearRect(0, 0, draw.width, draw.height);
        ctx.putImageData(pixels, 0, 0);
        URL.revokeObjectURL(url);
        fromDrawing();
      };
      picture.onerror = () => { status.textContent = text('pg_unreadable'); URL.revokeObjectURL(url); };
      picture.src = url;
    }
    const picker = root.querySelector('.pg-file');
    if (picker) picker.addEventListener('change', () => open(picker.files[0]));
    draw.addEventListener('dragover', (event) => event.preventDefault());
    draw.addEventListener('drop', (event) => {
      event.preventDefault();
      open(event.dataTransfer.files[0]);
    });
    select.addEventListener('change', () => {
      if (select.value === '') return;
      // Examples are the model's input; for pixel / 255 models that is also their picture.
      const values = Float32Array.from(examples[+select.value]);
      source = select.options[select.selectedIndex].textContent;
      pick(values, values);
    });
    const browser = root.querySelector('.pg-browse');
    if (browser) browse(browser, names, (values, label) => { pick(values); source = label; select.value = ''; });
    // Start from the first example, so the figure shows the network at work before any input.
    if (examples.length) {
      select.value = '0';
      select.dispatchEvent(new Event('change'));
    } else {
      status.textContent = text('pg_draw');
    }
    return { explain: (pixels, options) => net.explain(pixels, options), currentInput: () => input };
  }

  // The held-out images, browsable by class with a misclassified-only filter: their sprite
  // script loads when the browser first opens; each thumbnail is a button showing its tile
  // of the sprite, and picking one reads its pixels from the sprite through a canvas.
  function browse(root, names, chosen) {
    const grid = root.querySelector('.pg-grid'), more = root.querySelector('.pg-more');
    const classFilter = root.querySelector('.pg-class'), wrong = root.querySelector('.pg-misclassified');
    const count = root.querySelector('.pg-count'), page = 120;
    let sprite = null, image = null, matches = [], shown = 0;

    function load() {
      if (sprite || root.dataset.loading) return;
      root.dataset.loading = 'true';
      const script = document.createElement('script');
      script.src = root.dataset.src;
      script.onload = () => {
        sprite = window.vizsiteSprites[root.dataset.key];
        image = new Image();
        image.onload = filter;
        image.src = sprite.png;
        // The thumbnails show the sprite through a short blob: URL (a custom property does not
        // take a 2 MB data: URL); the canvas reads pixels from the data: URL, which stays untainted.
        const binary = atob(sprite.png.slice(sprite.png.indexOf(',') + 1)), bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        const url = URL.createObjectURL(new Blob([bytes], { type: 'image/png' }));
        grid.style.setProperty('--pg-sprite', `url("${url}")`);
      };
      script.onerror = () => { count.textContent = text('pg_images_failed'); };
      document.head.appendChild(script);
    }

    function filter() {
      if (!sprite || !image.complete) return;
      const k = classFilter.value === '' ? null : +classFilter.value;
      matches = [];
      for (let i = 0; i < sprite.count; i++) {
        if (k !== null && sprite.labels[i] !== k) continue;
        if (wrong.checked && sprite.labels[i] === sprite.predicted[i]) continue;
        matches.push(i);
      }
      grid.textContent = '';
      shown = 0;
      showMore();
    }

    function describe(i) {
      const label = names[sprite.labels[i]], predicted = names[sprite.predicted[i]];
      const image = `${sprite.split}[${i}]`;
      return text(label === predicted ? 'pg_thumb_right' : 'pg_thumb_wrong', { image, label, predicted });
    }

    function showMore() {
      const { width: w, height: h, columns } = sprite, scale = w <= 32 ? 2 : 1;
      const fragment = document.createDocumentFragment();
      for (const i of matches.slice(shown, shown + page)) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'pg-thumb' + (sprite.labels[i] === sprite.predicted[i] ? '' : ' pg-wrong');
        button.dataset.index = i;
        button.setAttribute('aria-label', describe(i));
        button.title = describe(i);
        button.style.width = `${w * scale}px`;
        button.style.height = `${h * scale}px`;
        button.style.backgroundSize = `${columns * w * scale}px auto`;
        button.style.backgroundPosition = `-${(i % columns) * w * scale}px -${Math.floor(i / columns) * h * scale}px`;
        if (sprite.labels[i] !== sprite.predicted[i]) {
          const tag = document.createElement('span');
          tag.textContent = names[sprite.predicted[i]];
          tag.setAttribute('aria-hidden', 'true');
          button.appendChild(tag);
        }
        fragment.appendChild(button);
      }
      shown = Math.min(shown + page, matches.length);
      grid.appendChild(fragment);
      more.hidden = shown >= matches.length;
      const n = matches.length.toLocaleString('en');
      count.textContent = shown < matches.length
        ? text('pg_count_shown', { n, shown: shown.toLocaleString('en') })
        : text(matches.length === 1 ? 'pg_count_one' : 'pg_count', { n });
    }

    function pixels(i) {
      const { width: w, height: h, channels, columns } = sprite, canvas = document.createElement('canvas');
      canvas.width = w; canvas.height = h;
      const c2d = canvas.getContext('2d');
      c2d.drawImage(image, (i % columns) * w, Math.floor(i / columns) * h, w, h, 0, 0, w, h);
      const data = c2d.getImageData(0, 0, w, h).data, values = new Float32Array(w * h * channels);
      for (let p = 0; p < w * h; p++) {
        for (let k = 0; k < channels; k++) values[p * channels + k] = data[p * 4 + (channels === 3 ? k : 0)] / 255;
      }
      return values;
    }

    root.addEventListener('toggle', () => { if (root.open) load(); });
    classFilter.addEventListener('change', filter);
    wrong.addEventListener('change', filter);
    more.addEventListener('click', showMore);
    grid.addEventListener('click', (event) => {
      const button = event.target.closest('.pg-thumb');
      if (!button) return;
      const i = +button.dataset.index;
      chosen(pixels(i), text('pg_labelled', { image: `${sprite.split}[${i}]`, label: names[sprite.labels[i]] }));
    });
  }

  // The weights load asynchronously (megabytes, which must not hold up the page's menu,
  // search and text): each playground starts once its model's script has run.
  function weightsLoaded() {
    const models = window.vizsiteModels || {};
    const pending = Array.from(document.querySelectorAll('script.pg-weights')).filter((s) => !models[s.dataset.model]);
    return Promise.all(pending.map((script) => new Promise((resolve) => {
      script.addEventListener('load', resolve);
      script.addEventListener('error', resolve);
      setTimeout(resolve, 120000); // a script that failed before we listened
    })));
  }

  let ready = [];
  weightsLoaded().then(() => {
    ready = figures.map((root) => {
      try {
        return setUp(root);
      } catch (error) {
        root.querySelector('.pg-status').textContent = error.message;
        return null;
      }
    }).filter(Boolean);
    window.vizsitePlayground.ready = ready.length > 0;
  });
  window.vizsitePlayground = {
    ready: false,
    /** The first playground's current input, as the network takes it (for tests). */
    input() { return Array.from(ready[0].currentInput()); },
    /** The contract of issue 15: `pixels` as the model takes them; see VizsiteNetwork.explain. */
    explain(pixels, options) {
      const result = ready[0].explain(Float32Array.from(pixels), options);
      return { probabilities: result.probabilities, logits: result.logits, map: result.map, ms: result.ms };
    },
  };
})();
