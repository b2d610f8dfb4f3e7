/**
 * A small strict XML reader for the tests of the SVG figures and the HTML report (a polyglot HTML/XML page): one
 * root, balanced tags, double-quoted attributes without raw '<' or '&', text without raw '<', '>' or bare '&', only
 * the five named entities and numeric references, no XML 1.0 control characters. Throws on anything else.
 */

export interface El {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: El[];
  text: string;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: string): string {
  const bare = s.replace(ENTITY, '');
  if (/[<>]/.test(bare)) throw new Error(`raw < or > in ${where}: ${s}`);
  if (bare.includes('&')) throw new Error(`bare & in ${where}: ${s}`);
  return s.replace(ENTITY, (e) => {
    const body = e.slice(1, -1);
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return NAMED[body]!;
  });
}

/** Parses a document body (after any prolog or doctype) to its root element. */
export function parseXmlBody(body: string): El {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(body)) throw new Error('control character not allowed in XML 1.0');
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/y;
  const attr = /\s+([\w:.-]+)="([^"]*)"/g;
  const stack: El[] = [];
  let root: El | undefined;
  let i = 0;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    const between = body.slice(i, lt === -1 ? body.length : lt);
    if (stack.length === 0 && between.trim() !== '') throw new Error(`text outside the root: ${between}`);
    if (stack.length > 0) stack[stack.length - 1]!.text += decode(between, 'text');
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(body);
    if (m === null) throw new Error(`malformed tag at ${lt}: ${body.slice(lt, lt + 60)}`);
    const [whole, closing, name, attrText, selfClose] = m as unknown as [string, string, string, string, string];
    i = lt + whole.length;
    if (closing === '/') {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(attr)) {
      if (a[1]! in attrs) throw new Error(`duplicate attribute ${a[1]}`);
      attrs[a[1]!] = decode(a[2]!, `attribute ${a[1]}`);
    }
    const el: El = { name, attrs, children: [], text: '' };
    if (stack.length === 0) {
      if (root !== undefined) throw new Error('more than one root element');
      root = el;
    } else stack[stack.length - 1]!.children.push(el);
    if (selfClose !== '/') stack.push(el);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root === undefined) throw new Error('no root element');
  return root;
}

/** Every element under `el` (itself included) that `pred` accepts, in document order. */
export function all(el: El, pred: (e: El) => boolean, out: El[] = []): El[] {
  if (pred(el)) out.push(el);
  for (const c of el.children) all(c, pred, out);
  return out;
}

/** An SVG or XML document: the UTF-8 prolog first, then one strict body. */
export function parseXmlDocument(doc: string): El {
  const prolog = '<?xml version="1.0" encoding="UTF-8"?>\n';
  if (!doc.startsWith(prolog)) throw new Error('missing XML prolog');
  return parseXmlBody(doc.slice(prolog.length));
}

export const byClass = (root: El, cls: string): El[] => all(root, (e) => (e.attrs['class'] ?? '').split(' ').includes(cls));
