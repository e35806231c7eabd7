/** The floor: an app with one empty stack (what loading aws-cdk-lib and synthesizing costs by itself). */
import { App, Stack } from 'aws-cdk-lib';

export function createEmptyApp(app: App): Stack[] {
  return [new Stack(app, 'Empty')];
}
