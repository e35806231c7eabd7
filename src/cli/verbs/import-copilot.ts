import { importCopilot } from '../copilot/import-copilot';
import { Verb, VerbContext } from '../verb';

export const importCopilotVerb: Verb = {
  name: 'import-copilot',
  summary: 'write a CDK app (one platform per environment) from a Copilot workspace, listing every field it could not map',
  usage: '<copilot/ folder> [--out <dir>]',
  description: [
    'Reads the workspace\'s manifests (services, jobs, environments, pipelines), merges each environment\'s overrides, interpolates ${VAR} from the environment, and writes app.ts, cdk.json and IMPORT-REPORT.md to --out (default: cdk-backend-platform-app). Every field is reported as mapped, mapped with other behaviour, or not supported, with the reason.',
  ],
  needs: ['nothing on AWS: it reads files only'],
  options: [{ name: 'out', value: '<dir>', description: 'folder to write the app to (default: cdk-backend-platform-app)' }],
  usesAws: false,
  run(context: VerbContext): Promise<number> {
    const out = context.args.options.get('out');
    return importCopilot([...context.args.positionals, ...(typeof out === 'string' ? ['--out', out] : [])]);
  },
};
