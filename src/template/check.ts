// Static check of a template's names, before anything runs (DESIGN §3: an unknown name is an error
// when the plan is built). Handlebars' strict mode alone is not enough: it only fails when the
// line is rendered, and it does not check helper arguments such as {{#if name}}.
import { closest } from '../config/suggest.js';
import { isPlainText, templateEngine } from './engine.js';
import { HELPER_NAMES } from './names.js';

export interface TemplateIssue {
  /** Follows the template's name: 'uses unknown name "foo"; did you mean "food"?' */
  message: string;
  /** The unknown name, when that is the issue. */
  name?: string;
  /** Position inside the template, 1-based. */
  line: number;
  column: number;
}

interface Scope {
  blockParams: ReadonlySet<string>;
  /** How many {{#each}} / {{#with}} bodies we are in: there, bare names mean the current item. */
  itemDepth: number;
}

const ITEM_HELPERS = new Set(['each', 'with']);
const HELPERS = new Set<string>(HELPER_NAMES);

class Checker {
  readonly issues: TemplateIssue[] = [];
  private readonly known: ReadonlySet<string>;
  private readonly objects: ReadonlySet<string>;

  constructor(private readonly knownNames: readonly string[]) {
    this.known = new Set(knownNames);
    // host is an object when host.name is known: {{host}} alone would print "[object Object]".
    this.objects = new Set(knownNames.filter((n) => n.includes('.')).map((n) => n.slice(0, n.lastIndexOf('.'))));
  }

  private issue(node: hbs.AST.Node, message: string, name?: string): void {
    this.issues.push({ message, name, line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 });
  }

  program(p: hbs.AST.Program | undefined, scope: Scope): void {
    for (const s of p?.body ?? []) this.statement(s, scope);
  }

  private statement(s: hbs.AST.Statement, scope: Scope): void {
    const node = s as hbs.AST.Node & Record<string, unknown>;
    switch (node.type) {
      case 'MustacheStatement': {
        const m = s as hbs.AST.MustacheStatement;
        if (m.params.length === 0 && !m.hash && m.path.type === 'PathExpression') this.value(m.path as hbs.AST.PathExpression, scope, true);
        else this.call(m.path, m.params, m.hash, scope);
        return;
      }
      case 'BlockStatement': {
        const b = s as hbs.AST.BlockStatement;
        const helper = (b.path as hbs.AST.PathExpression).original;
        if (!HELPERS.has(helper) || helper === 'lookup') this.issue(b, `uses unknown block helper "${helper}" (use if, unless, each or with)`);
        for (const p of b.params) this.expression(p, scope);
        this.hash(b.hash, scope);
        const inner: Scope = ITEM_HELPERS.has(helper)
          ? { blockParams: new Set([...scope.blockParams, ...(b.program.blockParams ?? [])]), itemDepth: scope.itemDepth + 1 }
          : scope;
        this.program(b.program, inner);
        this.program(b.inverse, scope);
        return;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement':
        this.issue(s, 'uses a partial ({{> …}}): partials are not supported');
        return;
      case 'DecoratorBlock':
      case 'Decorator':
        this.issue(s, 'uses a decorator ({{* …}}): decorators are not supported');
        return;
      default:
        return; // content and comments
    }
  }

  private call(path: hbs.AST.Expression, params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, scope: Scope): void {
    const name = (path as hbs.AST.PathExpression).original ?? '';
    if (!HELPERS.has(name) || ITEM_HELPERS.has(name) || name === 'if' || name === 'unless') {
      this.issue(path, `calls "${name}" with arguments, but it is not a helper (helpers here: lookup)`);
    }
    for (const p of params) this.expression(p, scope);
    this.hash(hash, scope);
  }

  private hash(hash: hbs.AST.Hash | undefined, scope: Scope): void {
    for (const pair of hash?.pairs ?? []) this.expression(pair.value, scope);
  }

  private expression(e: hbs.AST.Expression, scope: Scope): void {
    const node = e as hbs.AST.Node;
    if (node.type === 'PathExpression') this.value(e as hbs.AST.PathExpression, scope, false);
    else if (node.type === 'SubExpression') {
      const sub = e as hbs.AST.SubExpression;
      this.call(sub.path, sub.params, sub.hash, scope);
    }
  }

  private value(p: hbs.AST.PathExpression, scope: Scope, printed: boolean): void {
    if (p.data) {
      if (p.parts[0] === 'root') this.name(p, p.parts.slice(1), printed);
      return; // @index, @key, @first…
    }
    if (p.parts.length === 0) return; // {{this}}
    if (/^(this\.|\.\/)/.test(p.original)) {
      if (scope.itemDepth === 0) this.name(p, p.parts, printed);
      return;
    }
    if (scope.blockParams.has(p.parts[0]!)) return;
    if (p.depth > 0) {
      if (p.depth >= scope.itemDepth) this.name(p, p.parts, printed);
      return;
    }
    if (scope.itemDepth > 0) {
      const n = p.parts.join('.');
      this.issue(p, `uses "${n}" inside {{#each}} or {{#with}}, where names belong to the current item; write @root.${n}`, n);
      return;
    }
    this.name(p, p.parts, printed);
  }

  private name(node: hbs.AST.Node, parts: readonly string[], printed: boolean): void {
    const n = parts.join('.');
    if (this.known.has(n)) {
      if (printed && this.objects.has(n)) {
        const fields = this.knownNames.filter((k) => k.startsWith(`${n}.`));
        this.issue(node, `prints "${n}", which is an object: use ${fields.join(' or ')}`, n);
      }
      return;
    }
    const guess = closest(n, this.knownNames);
    const parent = parts.slice(0, -1).join('.');
    const fields = this.objects.has(parent) ? this.knownNames.filter((k) => k.startsWith(`${parent}.`)) : [];
    const hint = guess !== undefined ? `; did you mean "${guess}"?` : fields.length > 0 ? ` (${parent} has ${fields.join(', ')})` : '';
    this.issue(node, `uses unknown name "${n}"${hint}`, n);
  }
}

/** "Parse error on line 2:\n…\nExpecting 'ID', got 'EOF'" -> one readable line. */
function parseIssue(e: unknown): TemplateIssue {
  const err = e as { message?: string; lineNumber?: number; column?: number };
  const text = String(err.message ?? e);
  const line = Number(/line (\d+)/.exec(text)?.[1] ?? err.lineNumber ?? 1);
  const last = text.split('\n').filter((l) => l.trim() !== '').at(-1) ?? text;
  return {
    message: `is not a valid template (${last.replace(/ - \d+:\d+$/, '')}); write a literal {{ as \\{{`,
    line,
    column: (err.column ?? 0) + 1,
  };
}

/** Every problem with a template's names, given the names that will exist when it renders. */
export function templateIssues(template: string, knownNames: readonly string[]): TemplateIssue[] {
  if (isPlainText(template)) return []; // names nothing, and always parses
  let ast: hbs.AST.Program;
  try {
    ast = templateEngine().parse(template);
  } catch (e) {
    return [parseIssue(e)];
  }
  const checker = new Checker(knownNames);
  checker.program(ast, { blockParams: new Set(), itemDepth: 0 });
  return checker.issues;
}
