/**
 * A small Dockerfile linter for the rules this project holds its images to (hadolint is not an
 * npm package and cannot run here). `lintDockerfile` returns one problem per broken rule and line.
 */
export interface Problem {
  readonly rule: string;
  readonly line: number;
  readonly message: string;
}

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let current = lines[i]!.trim();
    if (current === '' || current.startsWith('#')) continue;
    while (current.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i]!.trim();
      current = `${current.slice(0, -1).trimEnd()} ${next.startsWith('#') ? '' : next}`;
    }
    const match = /^(\S+)\s*(.*)$/s.exec(current)!;
    out.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: start + 1 });
  }
  return out;
}

const EXACT_TAG = /^\d+(\.\d+){2,}([-.][\w.-]+)?$/;

export function lintDockerfile(text: string): Problem[] {
  const problems: Problem[] = [];
  const report = (rule: string, line: number, message: string) =>
    problems.push({ rule, line, message });
  const instructions = parseDockerfile(text);
  const globalArgs = new Map<string, string>();
  const stageNames = new Set<string>();
  const stages: Instruction[][] = [];

  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const [name, value] = ins.args.split('=');
      if (name && value !== undefined) globalArgs.set(name, value);
    }
    if (ins.keyword === 'FROM') {
      const [rawImage, as, name] = ins.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      const image = rawImage!.replace(/\$\{(\w+)\}/g, (_, v: string) => globalArgs.get(v) ?? '');
      if (as?.toUpperCase() === 'AS' && name) stageNames.add(name);
      stages.push([ins]);
      if (stageNames.has(image) && image !== name) continue; // builds on an earlier stage
      const [ref, digest] = image.split('@');
      const tag = ref!.includes(':') ? ref!.slice(ref!.lastIndexOf(':') + 1) : undefined;
      if (tag === 'latest' || (!tag && !digest)) {
        report('pinned-base', ins.line, `${image}: no tag or "latest"; pin an exact version`);
      } else if (!digest && !EXACT_TAG.test(tag!)) {
        report('pinned-base', ins.line, `${image}: tag ${tag} is not an exact version`);
      }
      continue;
    }
    stages.at(-1)?.push(ins);
  }
  if (stages.length === 0) report('from', 1, 'no FROM');

  for (const ins of instructions) {
    if (/(^|[\s:])latest\b/.test(ins.args) && ins.keyword !== 'FROM') {
      report('no-latest', ins.line, `"latest" in ${ins.keyword}`);
    }
    if (ins.keyword === 'ADD')
      report('no-add', ins.line, 'use COPY (ADD fetches URLs, unpacks tars)');
    if (ins.keyword === 'RUN') lintRun(ins, report);
    if ((ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') && !ins.args.startsWith('[')) {
      report('exec-form', ins.line, `${ins.keyword} in shell form does not receive signals`);
    }
  }
  if (!instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args))) {
    report('npm-ci', 1, 'dependencies must be installed with npm ci from the lockfile');
  }

  for (const stage of stages) {
    for (let i = 1; i < stage.length; i++) {
      if (stage[i]!.keyword === 'RUN' && stage[i - 1]!.keyword === 'RUN') {
        report('combine-run', stage[i]!.line, 'consecutive RUN instructions: combine them');
      }
    }
  }
  const final = stages.at(-1) ?? [];
  const user = final.filter((i) => i.keyword === 'USER').at(-1);
  if (!user || /^(root|0)(:|$)/.test(user.args)) {
    report(
      'non-root',
      user?.line ?? final[0]?.line ?? 1,
      'the final stage must run as a non-root USER',
    );
  }
  if (!final.some((i) => i.keyword === 'HEALTHCHECK')) {
    report(
      'healthcheck',
      final[0]?.line ?? 1,
      'the final stage must declare HEALTHCHECK (or NONE)',
    );
  }
  return problems;
}

function lintRun(ins: Instruction, report: (rule: string, line: number, message: string) => void) {
  const commands = ins.args.split(/&&|;|\|\|/).map((c) => c.trim());
  for (const command of commands) {
    const npmInstall = /^npm (install|i|add)\b(.*)$/.exec(command);
    if (npmInstall) {
      const global = /\s(-g|--global)\b/.test(npmInstall[2]!);
      const specs = npmInstall[2]!.split(/\s+/).filter((s) => s && !s.startsWith('-'));
      if (!global) {
        report('npm-ci', ins.line, `"${command}": install dependencies with npm ci`);
      } else if (specs.some((s) => !/@"?\$\{?\w+\}?"?$|@\d+\.\d+\.\d+"?$/.test(s))) {
        report('pinned-global', ins.line, `"${command}": pin global packages to an exact version`);
      }
    }
    if (/^apt-get install\b/.test(command) && !/--no-install-recommends/.test(command)) {
      report('apt', ins.line, 'apt-get install without --no-install-recommends');
    }
  }
  if (/apt-get update/.test(ins.args) && !/apt-get install/.test(ins.args)) {
    report(
      'apt',
      ins.line,
      'apt-get update in its own layer goes stale; update and install together',
    );
  }
  if (/\bsudo\b/.test(ins.args)) report('no-sudo', ins.line, 'no sudo in images');
}
