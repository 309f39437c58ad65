// Redaction against what the hostile-input probes found: secrets the default set missed (each
// with its neighbours: the other prefixes and spellings of the same kind), secrets in values that
// are not strings, in the resource's service name and in our own log lines, and texts that made
// the patterns backtrack for seconds. Sample secrets follow the formats of the gitleaks rules
// (see DEFAULT_REDACTIONS); they are made up.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startEngine } from '../../src/engine/engine';
import { Redactor } from '../../src/engine/normalize/redaction';
import { DEFAULT_REDACTIONS, findEmails } from '../../src/shared/redaction';
import { EngineApiClient } from './helpers/engineApiClient';

const redactor = new Redactor(DEFAULT_REDACTIONS);

/** The longest the event loop waited while `work` ran, in ms (a generous bound, not a speed test). */
async function longestStall(work: () => void): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, 20));
  work();
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  return histogram.max / 1e6;
}

const SECRETS: [string, string][] = [
  ['AWS temporary key id', 'ASIAY34FZKBOKMUTVV7A'],
  ['AWS key id', 'AKIALALEMEL33243OLIB'],
  ['AWS STS bearer key id', 'ABIAY34FZKBOKMUTVV7A'],
  ['AWS context key id', 'ACCAY34FZKBOKMUTVV7A'],
  ['AWS secret access key', 'lbqlNh3FW5/3AwnBoWsYIJam9w2Us4ZOH5Un8RyR'],
  ['GitHub fine-grained token', `github_pat_11ABCDEFG0${'aZ09bY18cX27'.repeat(6)}abcdefghij`],
  ['GitHub classic token', 'ghp_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2'],
  ['GitHub OAuth token', 'gho_Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2'],
  ['Slack app token', 'xapp-1-A052FGTS2DL-5171572773297-610b6a11f4b7eb819e87b767d80e6575'],
  ['Slack bot token', 'xoxb-781236542736-2364535789652-GkwFDQoHqzXDVsC6GzqYUypD'],
  ['Slack config refresh token', 'xoxe-1-My0xLTMxNzcwMjQ0MTcxMy01MTU4MTUyNjkxNzE0'],
  ['OpenAI project key', 'sk-proj-abcdefghijklmnop1234'],
  ['Anthropic key', 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz'],
  ['Google API key', 'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW'],
];

describe('redaction of what the probes found', () => {
  for (const [what, secret] of SECRETS) {
    it(`masks a ${what}, alone and inside text`, () => {
      assert.doesNotMatch(redactor.text(secret), /[A-Za-z0-9]{12}/, secret);
      const masked = redactor.text(`export KEY="${secret}" # ${what}`);
      assert.ok(!masked.includes(secret), masked);
      assert.match(masked, /\[REDACTED:/);
    });
  }

  for (const spelling of ['Bearer', 'bearer', 'BEARER', 'BeArEr']) {
    it(`masks a bearer token written "${spelling}"`, () => {
      assert.equal(redactor.text(`Authorization: ${spelling} eyJhbGciOiJIUzI1NiJ9.payload.sig`), 'Authorization: [REDACTED:bearer]');
    });
  }

  it('masks an AWS secret access key given as aws_secret_access_key=…, and leaves hex digests and words alone', () => {
    assert.equal(redactor.text('aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), 'aws_secret_access_key=[REDACTED:aws-secret]');
    const sha1 = 'commit 3f786850e387550fdab836ed7e6dc881de23001b landed';
    assert.equal(redactor.text(sha1), sha1);
    const repetitive = 'padding AAAAAAAAAAAAAAAAAAAAaaaaaaaaaaaaaaaaaaa1 here';
    assert.equal(redactor.text(repetitive), repetitive);
  });

  it('finds emails as the email pattern describes them', () => {
    const emailPattern = new RegExp(DEFAULT_REDACTIONS.find((p) => p.name === 'email')!.pattern, 'g');
    const texts = ['write to dana.smith@example.com today', 'a@b.io, c.d@e-f.co.uk; x@y', '..x@@y.com and -a@b.cd.', 'mail@host.c0m no',
      'me@example.com.123', '@start.com', 'end@', 'x_y@z.dev', 'é@x.com ümlaut@x.org', 'a@b.c.de', 'two@a.com@b.com'];
    for (const text of texts) {
      const expected = [...text.matchAll(emailPattern)].map((m) => [m.index!, m.index! + m[0].length]);
      assert.deepEqual(findEmails(text), expected, text);
    }
  });

  describe('texts that made a pattern backtrack (128 KB blocked the engine for 14-17 s)', () => {
    const hostile = [
      ['a.a.a.… without an @', 'a.'.repeat(64 * 1024)],
      ['a-a-a-… without an @', 'a-'.repeat(64 * 1024)],
      ['a.a.… then an @ and no domain', 'a.'.repeat(64 * 1024) + '@'],
      ['@a.a.a.… with no letters at the end', '@' + 'a.1'.repeat(40 * 1024)],
      ['a@a@a@…', 'a@'.repeat(64 * 1024)],
      ['1 1 1 … (card-like)', '1 '.repeat(64 * 1024)],
      ['sk-sk-sk-…', 'sk-'.repeat(40 * 1024)],
      ['bearer bearer …', 'bearer '.repeat(20 * 1024)],
      ['bearer then spaces', 'bearer' + ' '.repeat(128 * 1024) + '!'],
      ['base64 without a secret', 'QUJD'.repeat(32 * 1024)],
      ['a 16 MiB value of one letter (overflowed the base64 check\'s regexp stack)', 'p'.repeat(16 * 1024 * 1024)],
      ['a 16 MiB value of base64', 'QUJD'.repeat(4 * 1024 * 1024)],
    ];
    for (const [what, text] of hostile) {
      it(`masks ${what} without blocking the engine`, async () => {
        const stall = await longestStall(() => new Redactor(DEFAULT_REDACTIONS).text(text));
        assert.ok(stall < 1000, `the event loop waited ${stall.toFixed(0)} ms`);
      });
    }

    it('runs a user pattern that backtracks in JavaScript, ^(a+)+$, in linear time (RE2)', async () => {
      const user = new Redactor([{ name: 'evil', pattern: '^(a+)+$' }, { name: 'cust', pattern: 'CUST-\\d{6}' }]);
      const stall = await longestStall(() => assert.equal(user.text('a'.repeat(40) + '!'), 'a'.repeat(40) + '!'));
      assert.ok(stall < 1000, `the event loop waited ${stall.toFixed(0)} ms`);
      assert.equal(user.text('aaaaaaaa'), '[REDACTED:evil]');
      assert.equal(user.text('order of CUST-123456 ✓'), 'order of [REDACTED:cust] ✓');
      assert.throws(() => Redactor.validate([{ name: 'look', pattern: '(?<=a)b' }]), /redaction pattern "look"/);
    });
  });
});

describe('redaction of every value type and place, through the engine', () => {
  const email = 'dana.smith@example.com';
  const card = 4111111111111111;
  const secret = 'sk-proj-abcdefghijklmnop1234';
  const traceId = '5b8efff798038103d269b633813fc60c';

  it('masks bytes values, cards sent as int and double, and an email as service.name, in the API, lists, reports, disk and log', async () => {
    const storeDir = mkdtempSync(join(tmpdir(), 'redaction-hostile-'));
    const logs: string[] = [];
    const engine = await startEngine({ httpPort: 0, grpcPort: null, storeDir, redaction: DEFAULT_REDACTIONS, log: (m) => logs.push(m) });
    try {
      const body = {
        resourceSpans: [{
          resource: { attributes: [{ key: 'service.name', value: { stringValue: email } }] },
          scopeSpans: [{ spans: [{
            traceId, spanId: 'eee19b7ec3c1b174', name: 'chat', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000001000000000',
            attributes: [
              { key: 'raw', value: { bytesValue: Buffer.from(`token ${secret} for ${email}`).toString('base64') } },
              { key: 'card.int', value: { intValue: String(card) } },
              { key: 'card.double', value: { doubleValue: card } },
              { key: 'card.list', value: { arrayValue: { values: [{ intValue: '5555555555554444' }] } } },
              { key: 'epoch.ms', value: { intValue: '1700000000123' } },
            ],
          }] }],
        }],
      };
      const res = await fetch(`http://127.0.0.1:${engine.httpPort}/v1/traces`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 200, await res.text());
      const api = new EngineApiClient(engine.httpPort);
      const answers = [
        JSON.stringify(await api.trace(traceId)),
        JSON.stringify(await api.listTraces()),
        await (await fetch(`http://127.0.0.1:${engine.httpPort}/api/report?sinceMs=0`)).text(),
        await (await fetch(`http://127.0.0.1:${engine.httpPort}/api/traces/${traceId}/otlp`)).text(),
      ];
      for (const answer of answers) {
        for (const raw of [email, secret, String(card), '5555555555554444', Buffer.from(secret).toString('base64').slice(0, 12)]) {
          assert.ok(!answer.includes(raw), `${raw} in ${answer.slice(0, 300)}`);
        }
      }
      assert.match(answers[0], /1700000000123/, 'an epoch time is not a card');
      // A request that fails inside the engine is logged with its URL: masked.
      engine.index.query = () => { throw new Error('boom'); };
      const failed = await fetch(`http://127.0.0.1:${engine.httpPort}/api/traces?q=${secret}`);
      assert.equal(failed.status, 500);
      assert.ok(logs.some((m) => /failed/.test(m)), logs.join('\n'));
      assert.ok(!logs.join('\n').includes(secret), logs.join('\n'));
    } finally {
      await engine.close();
    }
    const stored = readdirSync(storeDir).map((f) => readFileSync(join(storeDir, f))).join('');
    for (const raw of [email, secret]) assert.ok(!stored.includes(raw), `${raw} on disk`);
    rmSync(storeDir, { recursive: true, force: true });
  });
});
