// Drives one headless Chromium for Bothy's Go browser tests. Commands
// arrive on stdin as JSON lines; each gets one JSON line back on stdout:
// {"ok": true, ...} or {"ok": false, "error": "..."}. axe-core runs inside
// the page through the DevTools protocol, so the page's own
// Content-Security-Policy stays in force while it is checked.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// The rules axe tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
const wcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
const opTimeout = 45000;

const executablePath = process.argv[2];
const browser = await puppeteer.launch({
  executablePath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--hide-scrollbars"],
});
const page = await browser.newPage();
page.setDefaultTimeout(opTimeout);
page.setDefaultNavigationTimeout(opTimeout);
await page.setViewport({ width: 1280, height: 900 });
let lastStatus = 0;
page.on("response", (r) => {
  if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) {
    lastStatus = r.status();
  }
});
const consoleErrors = [];
// Script errors only: a 4xx page (a refused form) logs its status as an
// error too, which is the server answering as meant.
page.on("console", (m) => {
  if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) {
    consoleErrors.push(m.text());
  }
});
page.on("pageerror", (e) => consoleErrors.push(String(e)));

async function where() {
  return { url: page.url(), status: lastStatus, title: await page.title() };
}

async function runAxe(widths) {
  const out = [];
  for (const width of widths) {
    await page.setViewport({ width, height: 900 });
    const has = await page.evaluate(() => typeof window.axe !== "undefined");
    if (!has) {
      await page.evaluate(axeSource);
    }
    const res = await page.evaluate(async (tags) => {
      const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
      return r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
      }));
    }, wcagTags);
    for (const v of res) {
      out.push({ width, ...v });
    }
  }
  await page.setViewport({ width: 1280, height: 900 });
  return out;
}

const ops = {
  async goto(c) {
    await page.goto(c.url, { waitUntil: "load" });
    return where();
  },
  // click follows a link or presses a button; with nav it waits for the
  // page that follows.
  async click(c) {
    if (c.nav) {
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(c.selector)]);
    } else {
      await page.click(c.selector);
    }
    return where();
  },
  async fill(c) {
    await page.$eval(c.selector, (el, v) => {
      el.focus();
      el.value = v;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    }, c.value);
    return {};
  },
  async type(c) {
    await page.type(c.selector, c.text);
    return {};
  },
  async select(c) {
    await page.select(c.selector, c.value);
    return {};
  },
  async value(c) {
    return { value: await page.$eval(c.selector, (el) => el.value) };
  },
  async text(c) {
    return { text: await page.$eval(c.selector || "body", (el) => el.innerText) };
  },
  async html() {
    return { html: await page.content() };
  },
  async waitText(c) {
    await page.waitForFunction((sel, t) => {
      const el = document.querySelector(sel);
      return el && el.innerText.includes(t);
    }, { timeout: c.timeout || opTimeout }, c.selector, c.text);
    return {};
  },
  async axe(c) {
    return { violations: await runAxe(c.widths || [1280, 390]) };
  },
  async screenshot(c) {
    await page.setViewport({ width: c.width || 1280, height: c.height || 900 });
    await page.screenshot({ path: c.path, fullPage: !!c.full });
    await page.setViewport({ width: 1280, height: 900 });
    return {};
  },
  async errors() {
    return { errors: consoleErrors.splice(0) };
  },
  async close() {
    await browser.close();
    return {};
  },
};

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  if (!line.trim()) {
    continue;
  }
  let reply;
  try {
    const c = JSON.parse(line);
    const op = ops[c.op];
    if (!op) {
      throw new Error(`unknown op ${c.op}`);
    }
    reply = { ok: true, ...(await op(c)) };
    if (c.op === "close") {
      process.stdout.write(JSON.stringify(reply) + "\n");
      process.exit(0);
    }
  } catch (e) {
    reply = { ok: false, error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
await browser.close();
