"""Deploys a small platform-shaped stack tree into moto_server (CloudFormation, with a nested stack), then sets with
API calls what moto's CloudFormation does not keep (service tags, network configuration, ECS Exec, load balancers,
rule targets). Prints the names and ARNs the tests assert on, as JSON. Usage: fixture.py <endpoint> <scenario>"""
import json
import sys
import time

import boto3

endpoint, scenario = sys.argv[1], sys.argv[2]
session = boto3.Session(aws_access_key_id='testing', aws_secret_access_key='testing', region_name='eu-west-1')
client = lambda name: session.client(name, endpoint_url=endpoint)
TAG = 'cdk-backend-platform:workload'


def task_definition(family, container, group, env=None):
    return {'Type': 'AWS::ECS::TaskDefinition', 'Properties': {
        'Family': family, 'Cpu': '256', 'Memory': '512', 'NetworkMode': 'awsvpc', 'RequiresCompatibilities': ['FARGATE'],
        'ContainerDefinitions': [{
            'Name': container, 'Image': 'public.ecr.aws/nginx/nginx:latest', 'Essential': True, 'Cpu': 256, 'Memory': 512,
            'PortMappings': [{'ContainerPort': 8080}], 'Environment': env or [],
            'LogConfiguration': {'LogDriver': 'awslogs', 'Options': {
                'awslogs-group': group, 'awslogs-stream-prefix': family, 'awslogs-region': 'eu-west-1'}},
        }]}}


child = {'Parameters': {'Cluster': {'Type': 'String'}}, 'Resources': {
    'MailerLogs': {'Type': 'AWS::Logs::LogGroup', 'Properties': {'LogGroupName': '/shop/mailer'}},
    'MailerTaskDefinition': task_definition('shop-mailer', 'worker', '/shop/mailer',
                                            [{'Name': 'QUEUE_URL', 'Value': 'https://sqs.eu-west-1.amazonaws.com/123456789012/shop-mailer-queue'}]),
    'MailerService': {'Type': 'AWS::ECS::Service', 'Properties': {
        'Cluster': {'Ref': 'Cluster'}, 'TaskDefinition': {'Ref': 'MailerTaskDefinition'}, 'DesiredCount': 1}},
}}
parent = {'Resources': {
    'Vpc': {'Type': 'AWS::EC2::VPC', 'Properties': {'CidrBlock': '10.0.0.0/16'}},
    'Subnet': {'Type': 'AWS::EC2::Subnet', 'Properties': {'VpcId': {'Ref': 'Vpc'}, 'CidrBlock': '10.0.1.0/24'}},
    'TaskSecurityGroup': {'Type': 'AWS::EC2::SecurityGroup', 'Properties': {'GroupDescription': 'tasks', 'VpcId': {'Ref': 'Vpc'}}},
    'Cluster': {'Type': 'AWS::ECS::Cluster', 'Properties': {'ClusterName': 'shop-cluster'}},
    'BackendLogs': {'Type': 'AWS::Logs::LogGroup', 'Properties': {'LogGroupName': '/shop/backend'}},
    'BackendTaskDefinition': task_definition('shop-backend', 'app', '/shop/backend'),
    'BackendService': {'Type': 'AWS::ECS::Service', 'Properties': {
        'Cluster': {'Ref': 'Cluster'}, 'TaskDefinition': {'Ref': 'BackendTaskDefinition'}, 'DesiredCount': 2}},
    'BackendTargetGroup': {'Type': 'AWS::ElasticLoadBalancingV2::TargetGroup', 'Properties': {
        'Name': 'shop-backend', 'Port': 8080, 'Protocol': 'HTTP', 'TargetType': 'ip', 'VpcId': {'Ref': 'Vpc'}}},
    'ServiceNameParameter': {'Type': 'AWS::SSM::Parameter', 'Properties': {'Name': '/shop/prod/backend/service-name', 'Type': 'String', 'Value': 'set-below'}},
    'ServiceUrlParameter': {'Type': 'AWS::SSM::Parameter', 'Properties': {'Name': '/shop/prod/backend/service-url', 'Type': 'String', 'Value': 'https://shop.example.com'}},
    'CleanupLogs': {'Type': 'AWS::Logs::LogGroup', 'Properties': {'LogGroupName': '/shop/cleanup'}},
    'CleanupTaskDefinition': task_definition('shop-cleanup', 'job', '/shop/cleanup'),
    'CleanupSchedule': {'Type': 'AWS::Events::Rule', 'Properties': {'Name': 'shop-cleanup', 'ScheduleExpression': 'rate(5 minutes)', 'State': 'ENABLED'}},
    'Database': {'Type': 'AWS::RDS::DBInstance', 'Properties': {
        'DBInstanceIdentifier': 'shop-db', 'Engine': 'postgres', 'DBInstanceClass': 'db.t4g.micro', 'AllocatedStorage': '20',
        'DBName': 'shop', 'MasterUsername': 'shopadmin', 'MasterUserPassword': 'not-a-secret-1'}},
    'Workloads': {'Type': 'AWS::CloudFormation::Stack', 'Properties': {
        'TemplateURL': 'https://templates.s3.amazonaws.com/workloads.json', 'Parameters': {'Cluster': {'Ref': 'Cluster'}}}},
}, 'Outputs': {
    'ShopServiceUrl': {'Value': 'https://shop.example.com'},
    'ShopRepositoryUri': {'Value': '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop'},
}}

s3 = client('s3')
s3.create_bucket(Bucket='templates', CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})
s3.put_object(Bucket='templates', Key='workloads.json', Body=json.dumps(child))
cfn = client('cloudformation')
cfn.create_stack(StackName='ShopStack', TemplateBody=json.dumps(parent))
# A stack that is no platform (no ServiceUrl/RepositoryUri outputs): the stack search must skip it.
cfn.create_stack(StackName='Unrelated', TemplateBody=json.dumps({'Resources': {'Topic': {'Type': 'AWS::SNS::Topic'}}}))

def resources(stack):
    return {r['LogicalResourceId']: r['PhysicalResourceId'] for r in cfn.list_stack_resources(StackName=stack)['StackResourceSummaries']}

root = resources('ShopStack')
nested = resources(root['Workloads'])
ecs = client('ecs')
network = {'awsvpcConfiguration': {'subnets': [root['Subnet']], 'securityGroups': [root['TaskSecurityGroup']], 'assignPublicIp': 'DISABLED'}}
backend_arn, mailer_arn = root['BackendService'], nested['MailerService']
backend_name = backend_arn.split('/')[-1]
target_group = root['BackendTargetGroup']
ecs.update_service(cluster='shop-cluster', service=backend_arn, networkConfiguration=network, enableExecuteCommand=False,
                   loadBalancers=[{'targetGroupArn': target_group, 'containerName': 'app', 'containerPort': 8080}])
ecs.update_service(cluster='shop-cluster', service=mailer_arn, networkConfiguration=network, enableExecuteCommand=True)

# The worker carries the tag; the web service is named by its service-name parameter (stacks deployed before the tag).
ecs.tag_resource(resourceArn=mailer_arn, tags=[{'key': TAG, 'value': 'mailer'}])
ecs.tag_resource(resourceArn=root['CleanupTaskDefinition'], tags=[{'key': TAG, 'value': 'cleanupjob'}])
client('ssm').put_parameter(Name='/shop/prod/backend/service-name', Value=backend_name, Type='String', Overwrite=True)
family_arn = root['CleanupTaskDefinition'].rsplit(':', 1)[0]
client('events').put_targets(Rule='shop-cleanup', Targets=[{
    'Id': 'Target0', 'Arn': 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop-cluster', 'RoleArn': 'arn:aws:iam::123456789012:role/events',
    'EcsParameters': {'TaskDefinitionArn': family_arn, 'TaskCount': 1, 'LaunchType': 'FARGATE', 'NetworkConfiguration': {
        'awsvpcConfiguration': {'Subnets': [root['Subnet']], 'SecurityGroups': [root['TaskSecurityGroup']], 'AssignPublicIp': 'DISABLED'}}}}])

elbv2 = client('elbv2')
elbv2.register_targets(TargetGroupArn=target_group, Targets=[{'Id': '10.0.1.10', 'Port': 8080}])
cw = client('cloudwatch')
tg_dimension = target_group[target_group.index('targetgroup/'):]
def alarm(name, dimensions, state):
    cw.put_metric_alarm(AlarmName=name, MetricName='M', Namespace='AWS/ECS', Statistic='Average', Period=60, EvaluationPeriods=1,
                        Threshold=1, ComparisonOperator='GreaterThanThreshold', Dimensions=dimensions)
    cw.set_alarm_state(AlarmName=name, StateValue=state, StateReason=f'{name} is {state}')
alarm('shop-backend-cpu', [{'Name': 'ClusterName', 'Value': 'shop-cluster'}, {'Name': 'ServiceName', 'Value': backend_name}], 'ALARM')
alarm('shop-backend-5xx', [{'Name': 'TargetGroup', 'Value': tg_dimension}], 'ALARM')
alarm('shop-backend-memory', [{'Name': 'ServiceName', 'Value': backend_name}], 'OK')
alarm('other-app-cpu', [{'Name': 'ServiceName', 'Value': 'other-app'}], 'ALARM')
alarm('shop-mailer-oldest-message', [{'Name': 'QueueName', 'Value': 'shop-mailer-queue'}], 'ALARM')
alarm('shop-cleanup-failed-launches', [{'Name': 'RuleName', 'Value': 'shop-cleanup'}], 'ALARM')

logs = client('logs')
now = int(time.time() * 1000)
for group, stream, messages in [
    ('/shop/backend', 'shop-backend/app/0123456789abcdef', [(now - 7200_000, 'an old line'), (now - 300_000, 'GET /health 200'), (now - 120_000, 'ERROR payment failed')]),
    ('/shop/mailer', 'shop-mailer/worker/fedcba9876543210', [(now - 60_000, 'sent 3 mails')]),
]:
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[{'timestamp': t, 'message': m} for t, m in messages])

out = {'backendService': backend_name, 'mailerService': mailer_arn.split('/')[-1], 'targetGroup': target_group,
       'subnet': root['Subnet'], 'securityGroup': root['TaskSecurityGroup'], 'nestedStack': root['Workloads']}
if scenario == 'running-tasks':
    # Keep tasks RUNNING across reads (moto advances a task's state on every read by default).
    import urllib.request
    urllib.request.urlopen(urllib.request.Request(f'{endpoint}/moto-api/state-manager/set-transition', method='POST',
        data=json.dumps({'model_name': 'ecs::task', 'transition': {'progression': 'manual', 'times': 1000}}).encode()))
    task = ecs.run_task(cluster='shop-cluster', taskDefinition='shop-mailer', launchType='FARGATE', networkConfiguration=network)['tasks'][0]
    out['mailerTask'] = task['taskArn']
print(json.dumps(out))
