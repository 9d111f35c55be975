import { describe, expect, it } from 'vitest';
import { tail } from './crash-detail';

describe("a crashed trainer's message", () => {
  it("quotes the last line of stderr that is not Node's warning output", () => {
    const stderr = [
      'Error: out of memory while allocating the batch',
      '(node:4242) NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)',
      'versions published after the first week of January 2027',
      'will require node >=22. You are running node v20.20.2.',
      '',
      'To continue receiving updates to AWS services, bug fixes,',
      'and security updates please upgrade to node >=22.',
      '',
      'More information can be found at: https://a.co/c895JFp',
      '(Use `node --trace-warnings ...` to show where the warning was created)',
      '',
    ].join('\n');
    expect(tail({ stderrTail: stderr })).toBe(': Error: out of memory while allocating the batch');
  });

  it('says nothing when stderr holds only warnings or nothing', () => {
    expect(
      tail({
        stderrTail: '(Use `node --trace-warnings ...` to show where the warning was created)\n',
      }),
    ).toBe('');
    expect(tail({ stderrTail: '' })).toBe('');
  });
});
