import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { convertWorkspace, synthErrors, synthGeneratedApp } from './generated-app';

const web = `name: web
type: Load Balanced Web Service
image:
  location: public.ecr.aws/nginx/nginx:latest
  port: 80
http:
  path: '/'
storage:
  volumes:
    uploads:
      path: /var/uploads
      read_only: false
      efs: true
    config:
      path: /etc/app
      efs:
        uid: 2000
        gid: 2000
        root_dir: /config
        auth:
          iam: true
    scratch:
      path: /scratch
`;
const worker = `name: thumbnails
type: Worker Service
image:
  location: public.ecr.aws/docker/library/busybox:1.36
storage:
  volumes:
    uploads:
      path: /data
      efs:
        id: fs-0123456789abcdef0
`;
const job = `name: report
type: Scheduled Job
image:
  location: public.ecr.aws/docker/library/busybox:1.36
on:
  schedule: '@daily'
command: node report.js
storage:
  volumes:
    data:
      path: /data
      efs: true
`;

describe('import-copilot: storage.volumes', () => {
  const conversion = convertWorkspace({
    application: 'shop',
    environmentNames: ['test'],
    manifests: [{ path: 'web/manifest.yml', text: web }, { path: 'thumbnails/manifest.yml', text: worker }, { path: 'report/manifest.yml', text: job }],
  }, {});
  const statusOf = (manifest: string, path: string) => conversion.findings.filter(f => f.manifest === manifest && f.path === path).map(f => f.status);

  test('EFS volumes of services and workers become volumes, read-only unless the manifest says otherwise', () => {
    expect(conversion.failed).toEqual([]);
    const app = conversion.app.replace(/\s+/g, ' ');
    expect(app).toContain('volumes: [{ name: \'uploads\', containerPath: \'/var/uploads\', }, { name: \'config\', containerPath: \'/etc/app\', readOnly: true, uid: 2000, gid: 2000, }]');
    expect(app).toContain('volumes: [{ name: \'uploads\', containerPath: \'/data\', readOnly: true, }]');
    expect(app).not.toContain('scratch');
  });

  test('every field is reported: what maps, what maps differently, and what is not supported with its reason', () => {
    expect(statusOf('web/manifest.yml', 'storage.volumes.uploads.path')).toEqual(['mapped']);
    expect(statusOf('web/manifest.yml', 'storage.volumes.uploads.read_only')).toEqual(['mapped']);
    expect(statusOf('web/manifest.yml', 'storage.volumes.config.efs.uid')).toEqual(['mapped']);
    expect(statusOf('web/manifest.yml', 'storage.volumes.config.efs.auth.iam')).toEqual(['mapped-differently']);
    expect(statusOf('web/manifest.yml', 'storage.volumes.config.efs.root_dir')).toEqual(['unsupported']);
    const scratch = conversion.findings.find(f => f.manifest === 'web/manifest.yml' && f.path === 'storage.volumes.scratch.path');
    expect(scratch).toMatchObject({ status: 'unsupported', note: expect.stringMatching(/volume scratch has no efs/) });
    const id = conversion.findings.find(f => f.manifest === 'thumbnails/manifest.yml' && f.path === 'storage.volumes.uploads.efs.id');
    expect(id).toMatchObject({ status: 'unsupported', note: expect.stringMatching(/an existing file system: the app mounts the platform's own instead/) });
    expect(statusOf('report/manifest.yml', 'storage.volumes')).toEqual(['unsupported']);
  });

  test('the generated app synthesizes: one file system, an access point per volume, the read-only one without write', () => {
    const app = synthGeneratedApp(conversion.app);
    const stack = app.node.children.find((c): c is Stack => c instanceof Stack)!;
    expect(synthErrors(stack)).toEqual([]);
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::EFS::FileSystem'))).toHaveLength(1);
    const paths = Object.values<any>(template.findResources('AWS::EFS::AccessPoint')).map(r => r.Properties.RootDirectory.Path).sort();
    expect(paths).toEqual(['/config', '/uploads', '/uploads']);
  });
});
