// The console's client layer: uploads with progress, live job curves over SSE, "try it", small
// conveniences. Plain browser JavaScript served as is (no build step); every call goes to this
// server's /console/api/v1/… (the public API, forwarded with the session's key) or
// /console/predict/{model} (forwarded to the inference function).

const API = '/console/api/v1';

function $(selector, root = document) {
  return root.querySelector(selector);
}

/** fetch JSON from the API; throws an Error with the API's message on 4xx/5xx. */
async function callApi(path, init = {}) {
  const res = await fetch(`${API}${path}`, { credentials: 'same-origin', ...init });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const error = body?.error;
    throw new Error(
      error ? `${error.message}${error.param ? ` (${error.param})` : ''}` : `HTTP ${res.status}`,
    );
  }
  return body;
}

/** PUT or POST a body with upload progress (XMLHttpRequest: fetch cannot report it). */
function sendWithProgress(method, url, body, onProgress, headers = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve(xhr);
      let message = `HTTP ${xhr.status}`;
      try {
        message = JSON.parse(xhr.responseText).error.message;
      } catch {
        // not the API's JSON error (a presigned store answers XML)
      }
      reject(new Error(message));
    };
    xhr.onerror = () => {
      const host = new URL(url, location.href).host;
      const hint =
        host === location.host
          ? ''
          : ': the store must allow PUT from this origin (a CORS rule exposing ETag); files up to API_UPLOAD_MAX_BYTES go through the API instead';
      reject(new Error(`The upload to ${host} failed${hint}`));
    };
    xhr.send(body);
  });
}

// ---------------------------------------------------------------------------------------------
// A folder of class folders becomes a zip here (stored, not compressed: images already are).

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const b of bytes) crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip (UTF-8 names, stored entries) of `[{path, file}]`, as a File named `name`. */
async function zipFiles(entries, name) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const { path, file } of entries) {
    const data = new Uint8Array(await file.arrayBuffer());
    const nameBytes = new TextEncoder().encode(path);
    const crc = crc32(data);
    const header = (size) => new DataView(new ArrayBuffer(size));
    const local = header(30);
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, 0x0800, true); // names are UTF-8
    local.setUint32(14, crc, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, nameBytes.length, true);
    const dir = header(46);
    dir.setUint32(0, 0x02014b50, true);
    dir.setUint16(4, 20, true);
    dir.setUint16(6, 20, true);
    dir.setUint16(8, 0x0800, true);
    dir.setUint32(16, crc, true);
    dir.setUint32(20, data.length, true);
    dir.setUint32(24, data.length, true);
    dir.setUint16(28, nameBytes.length, true);
    dir.setUint32(42, offset, true);
    parts.push(local, nameBytes, data);
    central.push(dir, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const size = central.reduce((n, p) => n + p.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, size, true);
  end.setUint32(16, offset, true);
  return new File([...parts, ...central, end], name, { type: 'application/zip' });
}

/** Every file under a dropped directory entry, with its path from the folder's parent. */
async function filesOf(entry, prefix = '') {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [{ path: `${prefix}${entry.name}`, file }];
  }
  const reader = entry.createReader();
  const children = [];
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map((c) => filesOf(c, `${prefix}${entry.name}/`)));
  return nested.flat();
}

/** A drop zone around a file input (itself keyboard reachable): drag and drop, or paste. */
function dropZone(zone, onFile) {
  const input = $('input[type=file]:not([name=folder])', zone);
  const show = (file) => {
    const name = $('[data-file-name]', zone);
    if (name)
      name.textContent = file ? `${file.name} (${file.size.toLocaleString('en-US')} bytes)` : '';
  };
  const take = (file) => {
    if (!file) return;
    const transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    show(file);
    onFile?.(file);
  };
  input.addEventListener('change', () => {
    show(input.files[0]);
    onFile?.(input.files[0]);
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', async (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const entry = e.dataTransfer.items?.[0]?.webkitGetAsEntry?.();
    if (entry?.isDirectory) {
      take(await zipFiles(await filesOf(entry), `${entry.name}.zip`));
      return;
    }
    take(e.dataTransfer.files[0]);
  });
  const folder = $('input[name=folder]', zone);
  folder?.addEventListener('change', async () => {
    const files = [...folder.files];
    if (files.length === 0) return;
    const root = files[0].webkitRelativePath.split('/')[0];
    take(
      await zipFiles(
        files.map((file) => ({ path: file.webkitRelativePath, file })),
        `${root}.zip`,
      ),
    );
  });
  // A pasted file (a screenshot, a copied image) lands here wherever the focus is.
  document.addEventListener('paste', (e) => {
    const file = [...(e.clipboardData?.files ?? [])][0];
    if (file) take(file);
  });
  return input;
}

// ---------------------------------------------------------------------------------------------
// Datasets: create, upload (through the API below its cap, else the presigned URLs), complete.

function formatOf(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith('.zip')) return 'image_folder_zip';
  if (lower.endsWith('.jsonl') || lower.endsWith('.json')) return 'jsonl';
  return 'csv';
}

async function uploadFile(created, file, onProgress) {
  if (file.size <= created.api_upload.max_bytes) {
    await sendWithProgress('PUT', `${API}/datasets/${created.id}/file`, file, onProgress, {
      'content-type': 'application/octet-stream',
    });
    return {};
  }
  const upload = created.upload;
  if (upload.method === 'put') {
    // upload.headers (If-None-Match: *) are part of the URL's signature.
    await sendWithProgress('PUT', upload.url, file, onProgress, upload.headers ?? {});
    return {};
  }
  const parts = [];
  for (const part of upload.parts) {
    const start = (part.part_number - 1) * upload.part_size;
    const xhr = await sendWithProgress(
      'PUT',
      part.url,
      file.slice(start, start + upload.part_size),
      (loaded) => onProgress(start + loaded, file.size),
    );
    const etag = xhr.getResponseHeader('ETag');
    if (!etag)
      throw new Error(
        'The store did not expose the ETag of a part (the bucket needs a CORS rule exposing ETag)',
      );
    parts.push({ part_number: part.part_number, etag });
  }
  return { parts };
}

function setupUpload(form) {
  const zone = $('[data-drop]', form);
  const input = dropZone(zone, (file) => {
    if (!file) return;
    if (!form.name.value) form.name.value = file.name.replace(/\.[^.]+$/, '');
    const format = formatOf(file.name);
    if (format === 'image_folder_zip') form.task.value = 'image_classification';
    if (format === 'jsonl') form.task.value = 'text_classification';
  });
  const progress = $('[data-progress]', form);
  const status = $('[data-upload-status]', form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = input.files[0];
    if (!file) {
      status.textContent = 'Choose or drop a file first.';
      return;
    }
    const button = $('button[type=submit]', form);
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    try {
      const body = {
        name: form.name.value,
        task: form.task.value,
        format: formatOf(file.name),
        size_bytes: file.size,
      };
      if (body.format === 'csv' && form.label_column.value)
        body.label_column = form.label_column.value;
      status.textContent = 'Creating the dataset…';
      const created = await callApi('/datasets', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      status.textContent = 'Uploading…';
      const done = await uploadFile(created, file, (loaded, total) => {
        progress.value = Math.round((100 * loaded) / total);
      });
      progress.value = 100;
      status.textContent = 'Validating…';
      await callApi(`/datasets/${created.id}/complete`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(done),
      });
      location.assign(`/console/datasets/${created.id}`);
    } catch (error) {
      status.textContent = `Upload failed: ${error.message}`;
      status.classList.add('error');
      button.disabled = false;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Jobs: curves per epoch (uPlot), the event log, both live over Server-Sent Events.

const SERIES = {
  loss: [
    ['loss', 'loss', '#d9480f'],
    ['val_loss', 'val_loss', '#1c7ed6'],
  ],
  accuracy: [
    ['accuracy', 'accuracy', '#d9480f'],
    ['val_accuracy', 'val_accuracy', '#1c7ed6'],
  ],
  learning_rate: [['learning_rate', 'learning rate', '#2b8a3e']],
};

function chartData(metrics, name) {
  const xs = metrics.map((_, i) => i + 1);
  return [xs, ...SERIES[name].map(([field]) => metrics.map((m) => m[field] ?? null))];
}

/** Tuning: each trial's objective (points) and the best so far (line). */
function trialsChart(trials) {
  const el = $('[data-trials-chart]');
  if (!el || !window.uPlot || trials.length === 0) return;
  const maximize = el.dataset.goal !== 'minimize';
  let best = null;
  const bestSoFar = trials.map((t) => {
    if (
      t.objective !== null &&
      (best === null || (maximize ? t.objective > best : t.objective < best))
    ) {
      best = t.objective;
    }
    return best;
  });
  const width = Math.max(260, Math.min(720, el.parentElement.clientWidth - 8));
  new window.uPlot(
    {
      title: 'optimization history',
      width,
      height: 220,
      scales: { x: { time: false } },
      axes: [{ label: 'trial', incrs: [1, 2, 5, 10, 20, 50, 100] }, {}],
      series: [
        { label: 'trial' },
        { label: 'objective', stroke: '#d9480f', width: 0, points: { show: true, size: 7 } },
        { label: 'best so far', stroke: '#1c7ed6', width: 2 },
      ],
    },
    [trials.map((t) => t.number), trials.map((t) => t.objective), bestSoFar],
    el,
  );
}

const TRIAL_COLORS = ['#1c7ed6', '#d9480f', '#2b8a3e', '#ae3ec9', '#f08c00', '#0c8599', '#e64980'];

/**
 * Tuning: each trial's objective metric per epoch, one line per trial (x: the trial's own epochs),
 * pruned trials dashed and named so in the legend, the best one thicker. Redrawn from `metrics`
 * (grown live over SSE); a trial not known at load is added as its first epoch arrives.
 */
function trialCurves(data, metrics) {
  const el = $('[data-trial-curves]');
  if (!el || !window.uPlot) return () => {};
  const metric = el.dataset.metric;
  const known = new Map(data.trials.map((t) => [t.number, t]));
  let plot;
  let shown = '';
  const draw = () => {
    const perTrial = new Map();
    for (const m of metrics) {
      if (m.trial === null || m.trial === undefined) continue;
      if (!perTrial.has(m.trial)) perTrial.set(m.trial, []);
      perTrial.get(m.trial).push(m[metric] ?? null);
    }
    for (const number of known.keys()) if (!perTrial.has(number)) perTrial.set(number, []);
    const numbers = [...perTrial.keys()].sort((a, b) => a - b);
    const epochs = Math.max(1, ...numbers.map((n) => perTrial.get(n).length));
    const columns = [
      Array.from({ length: epochs }, (_, i) => i + 1),
      ...numbers.map((n) => Array.from({ length: epochs }, (_, i) => perTrial.get(n)[i] ?? null)),
    ];
    const key = numbers.join(',');
    if (plot && key === shown) {
      plot.setData(columns);
      return;
    }
    plot?.destroy();
    shown = key;
    const width = Math.max(260, Math.min(720, el.parentElement.clientWidth - 8));
    plot = new window.uPlot(
      {
        title: `${metric} per epoch, one line per trial`,
        width,
        height: 240,
        scales: { x: { time: false } },
        axes: [{ label: 'epoch of the trial', incrs: [1, 2, 5, 10, 20, 50, 100] }, {}],
        series: [
          { label: 'epoch' },
          ...numbers.map((n, i) => {
            const trial = known.get(n);
            const pruned = trial?.pruned === true;
            return {
              label: `trial ${n}${pruned ? ' (pruned)' : ''}${n === data.bestTrial ? ' (best)' : ''}`,
              stroke: pruned ? '#868e96' : TRIAL_COLORS[i % TRIAL_COLORS.length],
              width: n === data.bestTrial ? 3 : 1.5,
              dash: pruned ? [6, 4] : undefined,
              points: { show: true, size: 4 },
              spanGaps: false,
            };
          }),
        ],
      },
      columns,
      el,
    );
    el.dataset.series = String(numbers.length);
  };
  draw();
  return draw;
}

function setupJob(data) {
  const metrics = data.metrics.slice();
  const charts = [];
  const shown = $('[data-epochs-shown]');
  for (const el of document.querySelectorAll('[data-chart]')) {
    const name = el.dataset.chart;
    // Two charts a row on wide screens, one on phones.
    const room = el.parentElement.clientWidth;
    const width = Math.max(260, Math.min(room - 8, room >= 900 ? Math.floor(room / 2) - 16 : room));
    const options = {
      title: name.replace('_', ' '),
      width,
      height: 220,
      scales: { x: { time: false } },
      axes: [
        { label: 'epoch', incrs: [1, 2, 5, 10, 20, 50, 100] },
        // uPlot's own labels keep the increment's decimals: a rate falling from 0.001 to 0.0001
        // was labelled 0.001 at both ticks. Three significant digits tell them apart.
        name === 'learning_rate'
          ? {
              values: (_, splits) =>
                splits.map((v) => (v === null ? '' : String(Number(v.toPrecision(3))))),
            }
          : {},
      ],
      series: [
        { label: 'epoch' },
        ...SERIES[name].map(([, label, stroke]) => ({
          label,
          stroke,
          width: 2,
          points: { show: true },
        })),
      ],
    };
    if (window.uPlot)
      charts.push({ name, plot: new window.uPlot(options, chartData(metrics, name), el) });
  }
  const updateCount = () => {
    shown.textContent = `${metrics.length} epochs`;
    shown.dataset.count = String(metrics.length);
  };
  const redraw = () => {
    for (const { name, plot } of charts) plot.setData(chartData(metrics, name));
    updateCount();
  };
  updateCount();
  trialsChart(data.trials);
  const redrawTrials = trialCurves(data, metrics);
  if (data.ended) return;
  const log = $('[data-events]');
  const after = data.lastEventId ? `?after=${encodeURIComponent(data.lastEventId)}` : '';
  // EventSource resends Last-Event-ID on reconnect; the API resumes after it.
  const source = new EventSource(`${API}/fine-tuning/jobs/${data.id}/events${after}`);
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    const li = document.createElement('li');
    li.className = `level-${event.level}`;
    const code = document.createElement('code');
    code.textContent = event.type;
    li.append(
      `${new Date(event.created_at * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC `,
      code,
      ` ${event.message}`,
    );
    log.append(li);
    if (event.type === 'epoch.completed') {
      // A resumed attempt reports the epochs after its checkpoint again: its row replaces the
      // earlier attempt's rows from that epoch on (as GET …/metrics does), one point per epoch.
      const at = (m) => (m.phase === 'fine_tune' ? 1e9 : 0) + m.epoch;
      const row = event.data;
      for (let i = metrics.length - 1; i >= 0; i--) {
        if (metrics[i].trial === row.trial && at(metrics[i]) >= at(row)) metrics.splice(i, 1);
      }
      metrics.push(row);
      redraw();
      redrawTrials();
    }
  };
  source.addEventListener('end', () => {
    source.close();
    location.reload();
  });
}

// ---------------------------------------------------------------------------------------------
// Models: try it.

function renderPredictions(target, answer) {
  target.replaceChildren();
  const list = document.createElement('ol');
  list.className = 'scores';
  for (const p of answer.predictions[0] ?? []) {
    const li = document.createElement('li');
    if ('value' in p) {
      li.textContent = `value ${p.value}`;
    } else {
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${(100 * p.score).toFixed(1)}%`;
      const label = document.createElement('strong');
      label.textContent = p.label ?? '(below threshold)';
      li.append(label, ` ${p.score.toFixed(3)}`, bar);
    }
    list.append(li);
  }
  target.append(list);
}

function setupTry(form) {
  const zone = $('[data-drop]', form);
  const input = zone ? dropZone(zone) : null;
  const result = $('[data-try-result]');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const topK = Number(form.top_k.value) || 3;
    let init;
    if (form.dataset.task === 'image_classification') {
      if (!input.files[0]) {
        result.textContent = 'Choose, drop or paste an image first.';
        return;
      }
      const body = new FormData();
      body.append('image', input.files[0]);
      body.append('top_k', String(topK));
      init = { method: 'POST', body };
    } else {
      const inputs =
        form.dataset.task === 'text_classification'
          ? [form.text.value]
          : [
              Object.fromEntries(
                [...new FormData(form)]
                  .filter(([k, v]) => k.startsWith('col:') && v !== '')
                  .map(([k, v]) => [k.slice(4), v]),
              ),
            ];
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs, top_k: topK }),
      };
    }
    result.textContent = 'Predicting…';
    try {
      const res = await fetch(`/console/predict/${form.dataset.model}`, {
        credentials: 'same-origin',
        ...init,
      });
      const answer = await res.json();
      if (!res.ok) throw new Error(answer.error?.message ?? `HTTP ${res.status}`);
      renderPredictions(result, answer);
    } catch (error) {
      result.textContent = `Prediction failed: ${error.message}`;
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Small things: copy buttons, sortable tables, architectures that fit the chosen dataset.

function setupCopy(button) {
  button.addEventListener('click', async () => {
    const text = button.parentElement.querySelector('code').textContent;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(button.parentElement.querySelector('code'));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      button.textContent = 'Selected: press Ctrl+C';
    }
  });
}

function setupSortable(table) {
  table.querySelectorAll('th').forEach((th, column) => {
    th.tabIndex = 0;
    th.setAttribute('aria-sort', 'none');
    const sort = () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      const rows = [...table.tBodies[0].rows];
      const key = (row) => {
        const text = row.cells[column]?.textContent.trim() ?? '';
        const n = Number(text.replace(/,/g, ''));
        return Number.isNaN(n) || text === '—' ? text : n;
      };
      rows.sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        const order =
          typeof x === 'number' && typeof y === 'number'
            ? x - y
            : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
      for (const other of table.querySelectorAll('th')) other.setAttribute('aria-sort', 'none');
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      table.tBodies[0].append(...rows);
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (e) => e.key === 'Enter' && sort());
  });
}

function setupJobForm(form) {
  const dataset = form.querySelector('select[name=dataset]');
  const architecture = $('[data-architecture]', form);
  const filter = () => {
    const task = dataset.selectedOptions[0]?.dataset.task;
    for (const option of architecture.options) {
      const fits = !option.dataset.tasks || !task || option.dataset.tasks.split(' ').includes(task);
      option.hidden = !fits;
      option.disabled = !fits;
    }
    if (architecture.selectedOptions[0]?.disabled) architecture.value = '';
  };
  dataset.addEventListener('change', filter);
  filter();
}

/**
 * The live augmentation preview: for an image-folder dataset, a few of its images as training will
 * see them after the form's augmentation (POST /datasets/{id}/augmentation-preview, the trainer's
 * own augmentation code), redrawn when a field changes. Rows: the original (outlined), then its
 * augmentations.
 */
function setupAugmentationPreview(form, host) {
  const dataset = form.querySelector('select[name=dataset]');
  const fields = [...form.querySelectorAll('[name^="augmentation."]')];
  let timer;
  let latest = 0;
  const augmentation = () => {
    const spec = {};
    for (const field of fields) {
      const name = field.name.slice('augmentation.'.length);
      if (field.type === 'checkbox') {
        if (field.checked) spec[name] = true;
      } else if (field.value.trim() !== '') {
        const n = Number(field.value);
        spec[name] = Number.isFinite(n) ? n : field.value.trim();
      }
    }
    return spec;
  };
  const size = () => {
    const side = Number(form.elements['architecture.input_size']?.value.split(/[\s,×x]+/)[0]);
    // The model's input size, up to the preview's largest (160).
    return Number.isInteger(side) && side >= 16 ? Math.min(side, 160) : 64;
  };
  const render = (answer) => {
    host.replaceChildren();
    const note = document.createElement('p');
    note.className = 'muted';
    note.textContent = `Augmentation preview: ${answer.data.length} of the dataset's images at ${answer.size}×${answer.size}, each as training sees it (outlined) and ${answer.data[0]?.augmented.length ?? 0} random augmentations by the fields filled in above (an empty field draws nothing here; the plan shows the augmentation a job will use, defaults included).`;
    host.append(note);
    for (const sample of answer.data) {
      const row = document.createElement('div');
      row.className = 'aug-row';
      row.dataset.path = sample.path;
      const image = (src, alt, original) => {
        const img = document.createElement('img');
        img.src = src;
        img.alt = alt;
        if (original) img.className = 'original';
        return img;
      };
      row.append(image(sample.original, `${sample.label}: ${sample.path}`, true));
      sample.augmented.forEach((src, i) => {
        row.append(image(src, `${sample.label}: augmentation ${i + 1}`, false));
      });
      host.append(row);
    }
  };
  const refresh = async () => {
    const option = dataset.selectedOptions[0];
    if (option?.dataset.format !== 'image_folder_zip') {
      host.hidden = true;
      host.replaceChildren();
      return;
    }
    host.hidden = false;
    const ask = ++latest;
    host.setAttribute('aria-busy', 'true');
    try {
      const answer = await callApi(
        `/datasets/${encodeURIComponent(option.value)}/augmentation-preview`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            augmentation: augmentation(),
            samples: 4,
            variants: 3,
            size: size(),
          }),
        },
      );
      if (ask === latest) render(answer); // an older answer arriving late is dropped
    } catch (error) {
      if (ask !== latest) return;
      host.replaceChildren();
      const p = document.createElement('p');
      p.className = 'error';
      p.textContent = `No preview: ${error.message}`;
      host.append(p);
    } finally {
      if (ask === latest) host.removeAttribute('aria-busy');
    }
  };
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  };
  for (const field of fields) {
    field.addEventListener('input', soon);
    field.addEventListener('change', soon);
  }
  dataset.addEventListener('change', soon);
  form.elements['architecture.input_size']?.addEventListener('change', soon);
  refresh();
}

const SPACE_TYPES = ['uniform', 'log_uniform', 'int', 'choice'];

/** A typed choice value: a number or boolean when it reads as one, else the trimmed text. */
function choiceValue(text) {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

/**
 * The search-space editor: one row per parameter (path, type, min/max/step or values, remove) that
 * writes the same JSON the textarea holds, and reads it back when the JSON is typed. The textarea
 * stays the form field, so a page without this script submits what was typed there.
 */
function setupSpaceEditor(host, textarea) {
  host.innerHTML = `<table class="space-rows"><thead><tr><th>Parameter</th><th>Type</th>
    <th>Min</th><th>Max</th><th>Step / values</th><th><span class="sr-only">Remove</span></th></tr></thead>
    <tbody></tbody></table>
    <button type="button" data-space-add>Add parameter</button>
    <small class="muted" data-space-note></small>`;
  const body = $('tbody', host);
  const note = $('[data-space-note]', host);
  const write = () => {
    const space = {};
    for (const row of body.rows) {
      const get = (name) => row.querySelector(`[data-field=${name}]`).value.trim();
      const path = get('path');
      if (!path) continue;
      const type = get('type');
      const param = { type };
      if (type === 'choice') {
        param.values = get('extra') === '' ? [] : get('extra').split(',').map(choiceValue);
      } else {
        for (const end of ['min', 'max']) if (get(end) !== '') param[end] = Number(get(end));
        if (type === 'int' && get('extra') !== '') param.step = Number(get('extra'));
      }
      space[path] = param;
    }
    textarea.value = Object.keys(space).length ? JSON.stringify(space, null, 1) : '';
  };
  const addRow = (path = '', param = { type: 'uniform' }) => {
    const row = body.insertRow();
    const choice = param.type === 'choice';
    const extra = choice ? (param.values ?? []).join(', ') : (param.step ?? '');
    row.innerHTML = `<td><input data-field="path" list="tunable-paths" aria-label="Parameter path"
        placeholder="hyperparameters.learning_rate"></td>
      <td><select data-field="type" aria-label="Type">${SPACE_TYPES.map((t) => `<option>${t}</option>`).join('')}</select></td>
      <td><input data-field="min" inputmode="decimal" aria-label="Min" size="7"></td>
      <td><input data-field="max" inputmode="decimal" aria-label="Max" size="7"></td>
      <td><input data-field="extra" aria-label="Step or values" size="12"></td>
      <td><button type="button" data-space-remove aria-label="Remove parameter">×</button></td>`;
    const field = (name) => row.querySelector(`[data-field=${name}]`);
    field('path').value = path;
    field('type').value = SPACE_TYPES.includes(param.type) ? param.type : 'uniform';
    field('min').value = param.min ?? '';
    field('max').value = param.max ?? '';
    field('extra').value = extra;
    const shape = () => {
      const type = field('type').value;
      field('min').disabled = field('max').disabled = type === 'choice';
      field('extra').disabled = type === 'uniform' || type === 'log_uniform';
      field('extra').placeholder = type === 'choice' ? 'adam, sgd' : type === 'int' ? 'step 1' : '';
    };
    field('type').addEventListener('change', shape);
    shape();
    $('[data-space-remove]', row).addEventListener('click', () => {
      row.remove();
      write();
    });
    return row;
  };
  const read = () => {
    const text = textarea.value.trim();
    let space = {};
    try {
      space = text ? JSON.parse(text) : {};
    } catch {
      note.textContent = 'The JSON below does not parse; the rows show its last valid value.';
      return;
    }
    if (space === null || typeof space !== 'object' || Array.isArray(space)) return;
    note.textContent = '';
    body.replaceChildren();
    for (const [path, param] of Object.entries(space)) addRow(path, param ?? {});
  };
  body.addEventListener('input', write);
  body.addEventListener('change', write);
  $('[data-space-add]', host).addEventListener('click', () => {
    addRow();
    $('tr:last-child [data-field=path]', body).focus();
  });
  textarea.addEventListener('input', read);
  read();
}

document.addEventListener('DOMContentLoaded', () => {
  const upload = $('[data-upload]');
  if (upload) setupUpload(upload);
  const job = $('#job-data');
  if (job) setupJob(JSON.parse(job.textContent));
  const tryForm = $('[data-try]');
  if (tryForm) setupTry(tryForm);
  const jobForm = $('[data-job-form]');
  if (jobForm) setupJobForm(jobForm);
  const preview = $('[data-augmentation-preview]');
  if (jobForm && preview) setupAugmentationPreview(jobForm, preview);
  const spaceEditor = $('[data-space-editor]');
  if (spaceEditor) setupSpaceEditor(spaceEditor, $('textarea[name="tuning.search_space"]'));
  for (const button of document.querySelectorAll('[data-copy]')) setupCopy(button);
  for (const table of document.querySelectorAll('table[data-sortable]')) setupSortable(table);
});
