import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TrainyardStack, type TrainyardStackProps } from '../lib/trainyard-stack';

/**
 * Synthesizes the stack as `cdk synth` does (the API really bundled with the local esbuild, the
 * image contexts really fingerprinted), into a temporary directory, with no AWS account.
 */
export function synthesize(
  props: TrainyardStackProps = {},
  { bundle = true }: { readonly bundle?: boolean } = {},
): {
  stack: TrainyardStack;
  template: Template;
} {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'trainyard-cdk-')),
    // Keeps the CDK version out of the snapshot.
    analyticsReporting: false,
    // Bundling the API takes seconds; tests that only look at other resources skip it.
    context: { 'aws:cdk:bundling-stacks': bundle ? ['**'] : [] },
  });
  const stack = new TrainyardStack(app, 'Trainyard', props);
  return { stack, template: Template.fromStack(stack) };
}

/** The template with everything that changes with the code but not the infrastructure replaced. */
export function scrubbedTemplate(template: Template): unknown {
  const json = JSON.stringify(template.toJSON(), null, 2)
    .replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>')
    .replace(/CurrentVersion[0-9A-Za-z]+/g, 'CurrentVersion<hash>');
  return JSON.parse(json);
}
