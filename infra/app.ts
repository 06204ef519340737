import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuroraImportsStack } from './aurora-imports-stack.ts';
import { readDeploymentConfig } from './config.ts';

/** `cdk synth` / `cdk deploy` entry (cdk.json). Context values are documented in docs/deploy.md. */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const app = new App();
new AuroraImportsStack(app, 'AuroraImports', {
  description: 'aurora-imports: event-driven hourly imports from S3 (Athena) into Aurora PostgreSQL',
  config: readDeploymentConfig(app.node),
  projectRoot,
});
// Synthesis fails on any unacknowledged AwsSolutions finding; acknowledgements carry their reason in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
