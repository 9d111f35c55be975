import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { scrubbedTemplate, synthesize } from './synth';

type Json = Record<string, unknown>;

let template: Template;
beforeAll(() => {
  ({ template } = synthesize());
}, 120_000);

/** The one resource of a type whose logical id starts with `prefix`. */
function resource(type: string, prefix: string): Json {
  const found = Object.entries(template.findResources(type)).filter(([id]) =>
    id.startsWith(prefix),
  );
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0]![1] as Json;
}

/**
 * Every (action, resource) a role's policies allow, with bucket ARNs written `bucket/<suffix>`
 * and other references by logical id, so that tests state exactly what a principal may do.
 */
function grants(rolePrefix: string): { allowed: string[]; listPrefixes: string[] } {
  const allowed = new Set<string>();
  const listPrefixes = new Set<string>();
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) =>
    (p.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref.startsWith(rolePrefix)),
  );
  expect(policies.length).toBeGreaterThan(0);
  for (const [, policy] of policies) {
    for (const st of policy.Properties.PolicyDocument.Statement as Json[]) {
      expect(st.Effect).toBe('Allow');
      const actions = ([] as string[]).concat(st.Action as string);
      const resources = ([] as unknown[]).concat(st.Resource);
      for (const action of actions) {
        for (const r of resources) allowed.add(`${action} ${describeArn(r)}`);
        if (action === 's3:ListBucket') {
          const cond = st.Condition as { StringLike: { 's3:prefix': string[] } };
          for (const prefix of cond.StringLike['s3:prefix']) listPrefixes.add(prefix);
        }
      }
    }
  }
  return { allowed: [...allowed].sort(), listPrefixes: [...listPrefixes].sort() };
}

function describeArn(r: unknown): string {
  if (typeof r === 'string') return r;
  const json = JSON.stringify(r);
  const bucket = /"Fn::GetAtt":\["StorageBucket\w+","Arn"\]\},"([^"]*)"/.exec(json);
  if (bucket) return `bucket${bucket[1]}`;
  if (/^\{"Fn::GetAtt":\["StorageBucket\w+","Arn"\]\}$/.test(json)) return 'bucket';
  const ref = /^\{"(?:Ref|Fn::GetAtt)":\[?"(\w+?)[0-9A-F]{8}"/.exec(json);
  if (ref) return ref[1]!;
  if (json.includes(':batch:') && json.includes(':job/*')) return 'batch:job/*';
  return json;
}

describe('storage', () => {
  it('encrypts, blocks public access, versions and keeps the bucket', () => {
    const bucket = resource('AWS::S3::Bucket', 'StorageBucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('aborts incomplete multipart uploads and expires old versions', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Id: 'abort-incomplete-multipart-uploads',
            Status: 'Enabled',
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
          }),
          Match.objectLike({
            Id: 'expire-noncurrent-versions',
            NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          }),
        ]),
      },
    });
  });

  it('lets the console PUT dataset files to presigned URLs from its own origin and read the ETags', () => {
    // The browser uploads straight to S3 (files past API_UPLOAD_MAX_BYTES, multipart past the
    // threshold); completing a multipart upload needs each part's ETag.
    const bucket = resource('AWS::S3::Bucket', 'StorageBucket');
    expect((bucket.Properties as Json).CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedMethods: ['GET', 'PUT', 'HEAD'],
          AllowedOrigins: ['*'],
          AllowedHeaders: ['*'],
          ExposedHeaders: ['ETag'],
          MaxAge: 3600,
        },
      ],
    });
  });

  it('refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('training', () => {
  it('runs GPU instances on spot first, on-demand behind, scaling to zero', () => {
    const spot = resource('AWS::Batch::ComputeEnvironment', 'TrainingGpuQueueSpot');
    const onDemand = resource('AWS::Batch::ComputeEnvironment', 'TrainingGpuQueueOnDemand');
    const gpu = {
      Type: 'managed',
      ComputeResources: {
        InstanceTypes: ['g4dn.xlarge', 'g5.xlarge'],
        MinvCpus: 0,
        Ec2Configuration: [{ ImageType: 'ECS_AL2023_NVIDIA' }],
      },
    };
    expect(spot.Properties).toMatchObject(gpu);
    expect(onDemand.Properties).toMatchObject(gpu);
    expect(spot.Properties).toMatchObject({ ComputeResources: { Type: 'SPOT' } });
    expect(onDemand.Properties).toMatchObject({ ComputeResources: { Type: 'EC2' } });

    const queue = resource('AWS::Batch::JobQueue', 'TrainingGpuQueue');
    const order = (queue.Properties as Json).ComputeEnvironmentOrder as Json[];
    expect(order.map((o) => [JSON.stringify(o.ComputeEnvironment).slice(0, 60), o.Order])).toEqual([
      [expect.stringContaining('TrainingGpuQueueSpot'), 1],
      [expect.stringContaining('TrainingGpuQueueOnDemand'), 2],
    ]);
  });

  it('asks for one GPU per job, with a timeout', () => {
    template.hasResourceProperties('AWS::Batch::JobDefinition', {
      Type: 'container',
      ContainerProperties: {
        ResourceRequirements: Match.arrayWith([{ Type: 'GPU', Value: '1' }]),
      },
      Timeout: { AttemptDurationSeconds: 12 * 3600 },
    });
  });

  it('retries spot reclaims only and exits on everything else', () => {
    const definition = resource('AWS::Batch::JobDefinition', 'TrainingTrainJobDefinition');
    expect((definition.Properties as Json).RetryStrategy).toEqual({
      Attempts: 5,
      EvaluateOnExit: [
        { Action: 'RETRY', OnStatusReason: 'Host EC2*' },
        { Action: 'EXIT', OnReason: '*' },
      ],
    });
  });

  it('gives the job the environment the shared config reads, and no credentials', () => {
    const definition = resource('AWS::Batch::JobDefinition', 'TrainingTrainJobDefinition');
    const env = Object.fromEntries(
      (
        (definition.Properties as Json).ContainerProperties as { Environment: Json[] }
      ).Environment.map((e) => [e.Name, e.Value]),
    );
    expect(env).toMatchObject({
      S3_ENDPOINT: {
        'Fn::Join': ['', ['https://s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
      },
      S3_BUCKET: { Ref: expect.stringMatching(/^StorageBucket/) },
      S3_FORCE_PATH_STYLE: 'false',
      TFJS_BACKEND: 'tensorflow-gpu',
    });
    expect(Object.keys(env).filter((k) => k.startsWith('AWS_'))).toEqual([]);
  });

  it('lets the job read datasets, base models and models, and write only jobs and models', () => {
    expect(grants('TrainingTrainJobJobRole')).toEqual({
      allowed: [
        's3:AbortMultipartUpload bucket/jobs/*',
        's3:AbortMultipartUpload bucket/models/*',
        's3:DeleteObject bucket/jobs/*',
        's3:DeleteObject bucket/models/*',
        's3:GetObject bucket/base-models/*',
        's3:GetObject bucket/datasets/*',
        's3:GetObject bucket/jobs/*',
        's3:GetObject bucket/models/*',
        's3:ListBucket bucket',
        's3:PutObject bucket/jobs/*',
        's3:PutObject bucket/models/*',
      ],
      listPrefixes: ['base-models/*', 'datasets/*', 'jobs/*', 'models/*'],
    });
  });

  it('keeps GPU instances unreachable from outside, with no NAT gateway billing at idle', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.absent(),
    });
  });
});

describe('api', () => {
  it('runs the bundled Lambda entry of functions/api with the batch queue configured', () => {
    const fn = resource('AWS::Lambda::Function', 'ApiFunction');
    expect(fn.Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Timeout: 29,
      Environment: {
        Variables: {
          QUEUE: 'batch',
          BATCH_JOB_QUEUE: {
            'Fn::GetAtt': [expect.stringMatching(/^TrainingGpuQueue/), 'JobQueueArn'],
          },
          BATCH_JOB_DEFINITION: { Ref: expect.stringMatching(/^TrainingTrainJobDefinition/) },
          S3_BUCKET: { Ref: expect.stringMatching(/^StorageBucket/) },
          S3_FORCE_PATH_STYLE: 'false',
        },
      },
    });
  });

  it('may use its prefixes and submit to this queue and definition only', () => {
    const prefixes = [
      'auth',
      'base-models',
      'datasets',
      'idempotency',
      'jobs',
      'models',
      'projects',
    ];
    const objectActions = [
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ];
    expect(grants('ApiFunctionServiceRole')).toEqual({
      allowed: [
        'batch:CancelJob batch:job/*',
        'batch:DescribeJobs *',
        'batch:ListJobs *',
        'batch:SubmitJob TrainingGpuQueue',
        'batch:SubmitJob TrainingTrainJobDefinition',
        'batch:TerminateJob batch:job/*',
        ...objectActions.flatMap((a) => prefixes.map((p) => `${a} bucket/${p}/*`)),
        's3:ListBucket bucket',
      ].sort(),
      listPrefixes: prefixes.map((p) => `${p}/*`),
    });
  });

  it('is served by an HTTP API whose default route invokes the function, throttled', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});

describe('inference', () => {
  it('runs the container image with tfjs-node, and the same S3 configuration', () => {
    const fn = resource('AWS::Lambda::Function', 'InferenceFunction');
    expect(fn.Properties).toMatchObject({
      PackageType: 'Image',
      Architectures: ['x86_64'],
      MemorySize: 3008,
      Timeout: 60,
      Environment: {
        Variables: {
          TFJS_BACKEND: 'tensorflow',
          S3_BUCKET: { Ref: expect.stringMatching(/^StorageBucket/) },
          S3_FORCE_PATH_STYLE: 'false',
        },
      },
    });
    expect(JSON.stringify(fn.Properties)).not.toContain('QUEUE');
  });

  it('may only read models and API keys', () => {
    expect(grants('InferenceFunctionServiceRole')).toEqual({
      allowed: [
        's3:GetObject bucket/auth/api-keys/*',
        's3:GetObject bucket/models/*',
        's3:ListBucket bucket',
      ],
      listPrefixes: ['auth/api-keys/*', 'models/*'],
    });
  });

  it('is reached through a public Function URL on the live alias; the app checks keys', () => {
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED',
      Qualifier: 'live',
    });
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: 'live',
      ProvisionedConcurrencyConfig: Match.absent(),
    });
  });

  it('keeps instances warm when provisioned concurrency is asked for', () => {
    const warm = synthesize(
      { inferenceProvisionedConcurrency: 2, inferenceMemoryMiB: 4096 },
      { bundle: false },
    );
    warm.template.hasResourceProperties('AWS::Lambda::Alias', {
      ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
    });
    warm.template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      MemorySize: 4096,
    });
  }, 120_000);
});

describe('logs and outputs', () => {
  it('sets a retention on every log group', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBe(4);
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('outputs the API URL, the inference URL and the bucket name', () => {
    template.hasOutput('ApiUrl', {});
    template.hasOutput('InferenceUrl', {});
    template.hasOutput('BucketName', { Value: { Ref: Match.stringLikeRegexp('^StorageBucket') } });
  });
});

it('matches the snapshot, asset hashes scrubbed', () => {
  expect(scrubbedTemplate(template)).toMatchSnapshot();
});
