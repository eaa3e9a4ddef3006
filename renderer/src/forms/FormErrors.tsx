// What is wrong with the form as a whole (no single field shows it), in plain words, under the fields.
import Alert from '@mui/material/Alert';

export function FormErrors({ errors, testId = 'form-errors' }: { errors: string[]; testId?: string }) {
  if (errors.length === 0) return null;
  return (
    <Alert severity="warning" data-testid={testId} sx={{ my: 1 }}>
      {errors.map((text) => (
        <div key={text}>{text}</div>
      ))}
    </Alert>
  );
}
