// The dot-product view of feature-maps figures: point at a value of a map (or focus a map
// and move with the arrow keys) to see how the layer computed it from the layer below —
// the receptive field, the kernel, their products and the sum plus bias for a
// convolution; the window and its winner for max pooling. The numbers are the build's
// (figures/feature-dots-….js, loaded on first use); this script only arranges them.
(function (global) {
  'use strict';

  /**
   * How value (y, x) of shown channel k was computed: for a convolution, one term list per
   * input channel of its group ({channel, patch, kernel, products, sum}), the total, the
   * bias and the pre-activation; for max pooling, the window and the winner's position in
   * it. `value` is the layer's output as the build computed it.
   */
  function explain(d, k, y, x) {
    const [h, w, c] = d.in, [kh, kw] = d.kernel, [sh, sw] = d.strides, [pt, pl] = d.pads;
    const [dh, dw] = d.dilations || [1, 1], value = d.output[(y * d.out[1] + x) * d.out[2] + k];
    const at = (i, j) => {
      const yi = y * sh + i * dh - pt, xi = x * sw + j * dw - pl;
      return yi >= 0 && yi < h && xi >= 0 && xi < w ? (yi * w + xi) * c : -1;
    };
    if (d.type === 'maxpool') {
      const window = [];
      let best = -Infinity, winner = -1;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const p = at(i, j), v = p < 0 ? null : d.input[p + k];
          if (v !== null && v > best) { best = v; winner = i * kw + j; }
          window.push(v);
        }
      }
      return { type: 'maxpool', window, winner, max: best, value };
    }
    // The shown channels are the layer's first ones: channel k belongs to group k / (channels / groups).
    const groups = d.groups || 1, cg = c / groups, first = Math.floor(k / (d.channels / groups)) * cg;
    const kernel = d.weights[k];
    const terms = [];
    let total = 0;
    for (let ch = 0; ch < cg; ch++) {
      const patch = [], weights = [], products = [];
      let sum = 0;
      for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
          const p = at(i, j), v = p < 0 ? 0 : d.input[p + first + ch], wt = kernel[(i * kw + j) * cg + ch];
          patch.push(p < 0 ? null : v); weights.push(wt); products.push(v * wt);
          sum += v * wt;
        }
      }
      total += sum;
      terms.push({ channel: first + ch, patch, kernel: weights, products, sum });
    }
    const bias = d.bias[k];
    return { type: 'conv', terms, total, bias, pre: total + bias, value };
  }

  function fmt(v) {
    if (v === null) return '·';
    const a = Math.abs(v);
    return a !== 0 && (a < 0.01 || a >= 1000) ? v.toExponential(1) : v.toFixed(2);
  }

  // A kh×kw table of values, each cell tinted by sign and size relative to `scale`.
  function grid(values, kw, scale, caption, marked) {
    let rows = '';
    for (let i = 0; i < values.length; i += kw) {
      rows += '<tr>' + values.slice(i, i + kw).map((v, j) => {
        const t = v === null || !scale ? 0 : Math.min(Math.abs(v) / scale, 1);
        const tint = v === null ? '' : ` style="background:rgba(${v < 0 ? '33,102,172' : '178,24,43'},${(0.6 * t).toFixed(2)})"`;
        return `<td${tint}${i + j === marked ? ' class="fm-winner"' : ''}>${fmt(v)}</td>`;
      }).join('') + '</tr>';
    }
    return `<table class="fm-grid"><caption>${caption}</caption><tbody>${rows}</tbody></table>`;
  }

  const largest = (list) => list.reduce((m, v) => (v === null ? m : Math.max(m, Math.abs(v))), 0);

  // A sentence of the page's language (vizsiteText in site.js) as HTML, `values` being markup.
  function say(key, values) {
    return global.vizsiteText ? global.vizsiteText(key, values, true) : key;
  }

  function describe(d, k, y, x) {
    const r = explain(d, k, y, x), [kh, kw] = d.kernel, size = `${kh}×${kw}`;
    const below = d.below || say('fd_input');
    const head = '<p class="fm-dot-head">' + say('fd_head', {
      layer: `<strong>${d.layer}</strong>`, k, row: y + 1, column: x + 1, value: `<strong>${fmt(r.value)}</strong>`,
    }) + '</p>';
    if (r.type === 'maxpool') {
      const caption = say('fd_window', { size, below, k });
      return head + `<div class="fm-terms">${grid(r.window, kw, largest(r.window), caption, r.winner)}</div>`
        + '<p>' + say('fd_maxpool', {
          value: fmt(r.max), row: Math.floor(r.winner / kw) + 1, column: (r.winner % kw) + 1,
        }) + '</p>';
    }
    const shown = r.terms.slice().sort((a, b) => Math.abs(b.sum) - Math.abs(a.sum)).slice(0, 3);
    const many = r.terms.length > shown.length;
    let html = head + '<p>'
      + (many ? say('fd_many', { below, n: r.terms.length, size }) : say('fd_one', { size })) + '</p>';
    for (const t of shown) {
      const scale = largest(t.products);
      html += `<div class="fm-terms">${grid(t.patch, kw, largest(t.patch), say('fd_channel', { below, k: t.channel }))}`
        + '<span class="fm-op">×</span>' + grid(t.kernel, kw, largest(t.kernel), say('fd_kernel'))
        + '<span class="fm-op">=</span>' + grid(t.products, kw, scale, say('fd_products'))
        + `<span class="fm-op">Σ = ${fmt(t.sum)}</span></div>`;
    }
    const activation = d.activation && d.activation !== 'linear' && d.activation !== 'softmax'
      ? say('fd_activation', { function: d.activation, pre: fmt(r.pre), value: `<strong>${fmt(r.value)}</strong>` })
      : '';
    const total = { n: r.terms.length, total: fmt(r.total), bias: fmt(r.bias), pre: fmt(r.pre), activation };
    html += '<p>' + say(many ? 'fd_many_total' : 'fd_one_total', total) + '</p>';
    return html;
  }

  // The input pixels value (y, x) depends on: the windows followed back to the input.
  function field(d, y, x) {
    let [y0, y1, x0, x1] = [y, y, x, x];
    for (const [sy, sx, pt, pl, ey, ex] of d.field) {
      y0 = y0 * sy - pt; y1 = y1 * sy - pt + ey - 1;
      x0 = x0 * sx - pl; x1 = x1 * sx - pl + ex - 1;
    }
    return [y0, y1, x0, x1];
  }

  function setUp(root) {
    const maps = Array.from(root.querySelectorAll('.viz-grid img')), digit = root.querySelector('.viz-cell img');
    const panel = root.querySelector('.fm-dot-panel');
    let data = null, loading = false;
    const cursor = { y: 0, x: 0 };

    function load(then) {
      if (data) { then(); return; }
      if (loading) return;
      loading = true;
      const script = document.createElement('script');
      script.src = root.dataset.dots;
      script.onload = () => { data = global.vizsiteDots[root.dataset.key]; then(); };
      document.head.appendChild(script);
    }

    // A box around cells y0…y1, x0…x1 of `image`; at least `MARK` px each way, centred on
    // them, so one activation of a small map (3 px) is still plainly marked.
    const MARK = 11;
    function box(image, marker, y0, y1, x0, x1, rows, columns) {
      const sx = image.clientWidth / columns, sy = image.clientHeight / rows;
      const top = Math.max(y0, 0), left = Math.max(x0, 0);
      const bottom = Math.min(y1, rows - 1), right = Math.min(x1, columns - 1);
      let w = (right - left + 1) * sx, h = (bottom - top + 1) * sy;
      let l = image.offsetLeft + left * sx, t = image.offsetTop + top * sy;
      if (w < MARK) { l -= (MARK - w) / 2; w = MARK; }
      if (h < MARK) { t -= (MARK - h) / 2; h = MARK; }
      marker.style.left = `${l}px`;
      marker.style.top = `${t}px`;
      marker.style.width = `${w}px`;
      marker.style.height = `${h}px`;
      marker.hidden = false;
    }

    // The panel opens right under the row of the map being read (as an image search's
    // preview does), so the map and its numbers are on screen together; the page scrolls
    // by what moving it shifted, so the map stays under the pointer.
    const grid = root.querySelector('.viz-grid');
    function place(image) {
      const cell = image.closest('.viz-cell');
      if (!grid || !cell || cell.parentNode !== grid) return;
      const top = cell.offsetTop;
      let last = cell;
      for (let next = cell.nextElementSibling; next; next = next.nextElementSibling) {
        if (!next.classList.contains('viz-cell')) continue;
        if (next.offsetTop !== top) break;
        last = next;
      }
      if (panel.parentNode === grid && panel.previousElementSibling === last) return;
      const before = image.getBoundingClientRect().top;
      last.after(panel);
      const shift = image.getBoundingClientRect().top - before;
      if (shift) window.scrollBy(0, shift);
    }

    function marker(image) {
      let m = image.parentNode.querySelector('.fm-marker');
      if (!m) {
        m = document.createElement('span');
        m.className = 'fm-marker';
        m.setAttribute('aria-hidden', 'true');
        image.parentNode.appendChild(m);
      }
      return m;
    }

    function show(k, y, x) {
      cursor.y = y; cursor.x = x;
      place(maps[k]);
      const [oh, ow] = data.out;
      root.querySelectorAll('.fm-marker').forEach((m) => { m.hidden = true; });
      box(maps[k], marker(maps[k]), y, y, x, x, oh, ow);
      if (digit) {
        const [y0, y1, x0, x1] = field(data, y, x);
        box(digit, marker(digit), y0, y1, x0, x1, data.input_shape[0], data.input_shape[1]);
      }
      panel.innerHTML = describe(data, k, y, x);
      panel.hidden = false;
    }

    maps.forEach((image, k) => {
      image.tabIndex = 0;
      image.addEventListener('pointermove', (event) => load(() => {
        const r = image.getBoundingClientRect(), [oh, ow] = data.out;
        const y = Math.min(oh - 1, Math.max(0, Math.floor((event.clientY - r.top) / r.height * oh)));
        const x = Math.min(ow - 1, Math.max(0, Math.floor((event.clientX - r.left) / r.width * ow)));
        if (y !== cursor.y || x !== cursor.x || panel.hidden || panel.dataset.channel !== String(k)) {
          panel.dataset.channel = k;
          show(k, y, x);
        }
      }));
      image.addEventListener('focus', () => load(() => { panel.dataset.channel = k; show(k, cursor.y, cursor.x); }));
      image.addEventListener('keydown', (event) => {
        const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
        if (!moves[event.key] || !data) return;
        const [oh, ow] = data.out;
        show(k, Math.min(oh - 1, Math.max(0, cursor.y + moves[event.key][0])),
          Math.min(ow - 1, Math.max(0, cursor.x + moves[event.key][1])));
        event.preventDefault();
      });
    });
  }

  global.vizsiteFeatureDots = { explain, field };
  if (typeof document !== 'undefined') document.querySelectorAll('.fm-dots').forEach(setUp);
})(typeof window !== 'undefined' ? window : globalThis);
