import Step from '@mui/material/Step';
import StepLabel from '@mui/material/StepLabel';
import Stepper from '@mui/material/Stepper';
import Typography from '@mui/material/Typography';
import type { StartStep } from '../../../main/api/contract';

function seconds(step: StartStep): string {
  if (!step.startedAt || !step.finishedAt) return '';
  return ` · ${((Date.parse(step.finishedAt) - Date.parse(step.startedAt)) / 1000).toFixed(1)} s`;
}

/** The steps of a start (pull, init, schema, namespace, health…) as they happen. */
export function StartProgress({ steps }: { steps: StartStep[] }) {
  if (steps.length === 0) return null;
  const active = steps.findIndex((s) => s.state === 'running' || s.state === 'pending');
  return (
    <Stepper
      activeStep={active === -1 ? steps.length : active}
      alternativeLabel
      data-testid="start-progress"
      sx={{ my: 2 }}
    >
      {steps.map((step) => (
        <Step
          key={step.id}
          completed={step.state === 'done' || step.state === 'skipped'}
          data-testid={`start-step-${step.id}`}
          data-state={step.state}
        >
          <StepLabel
            error={step.state === 'failed'}
            optional={
              <Typography variant="caption" color={step.state === 'failed' ? 'error' : 'text.secondary'}>
                {step.detail ?? (step.state === 'running' ? 'working…' : '')}
                {seconds(step)}
              </Typography>
            }
          >
            {step.label}
          </StepLabel>
        </Step>
      ))}
    </Stepper>
  );
}
