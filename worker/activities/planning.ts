// Planning's attribute generator: an OpenAI-compatible endpoint when configured, else deterministic rules.
import type { WorkerConfig } from '../../shared/worker-protocol';

export interface GeneratedAttribute {
  code: string;
  name: string;
  description: string;
}

export interface Generation {
  generator: string;
  attributes: GeneratedAttribute[];
}

const RULE_ATTRIBUTES: Array<[string, string, string]> = [
  ['A01', 'Completeness', 'Every required field of %s is populated for the sampled records.'],
  ['A02', 'Accuracy', 'Values in %s agree with the system of record.'],
  ['A03', 'Timeliness', '%s is produced within its regulatory deadline.'],
  ['A04', 'Validity', 'Values in %s fall within their allowed domains and formats.'],
  ['A05', 'Consistency', 'Totals in %s reconcile with the general ledger.'],
];

/** The rule-based generator: the same report always yields the same attributes, and says so. */
export function ruleBasedAttributes(reportName: string): Generation {
  return {
    generator: 'rule-based (no LLM configured)',
    attributes: RULE_ATTRIBUTES.map(([code, name, text]) => ({
      code,
      name,
      description: text.replace('%s', reportName),
    })),
  };
}

async function chat(config: WorkerConfig['llm'], system: string, user: string): Promise<string> {
  const url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
    },
    body: JSON.stringify({
      model: config.model || 'gpt-4o-mini',
      temperature: 0,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
    }),
    signal: AbortSignal.timeout(60_000),
  });
  if (!response.ok) throw new Error(`LLM endpoint answered ${response.status} ${response.statusText}`);
  const body = (await response.json()) as { choices?: Array<{ message?: { content?: string } }> };
  return body.choices?.[0]?.message?.content ?? '';
}

export async function llmSummary(
  config: WorkerConfig['llm'],
  doc: { executions: number; passed: number; failed: number },
): Promise<{ generator: string; text: string }> {
  const text = await chat(
    config,
    'You summarise regulatory test reports in two sentences.',
    `Executions: ${doc.executions}, passed: ${doc.passed}, failed: ${doc.failed}.`,
  );
  if (!text.trim()) throw new Error('LLM answer was empty');
  return { generator: `llm:${config.model || 'gpt-4o-mini'}`, text: text.trim().slice(0, 4000) };
}

/** Asks the configured endpoint; any transport or shape problem is an error the LLM retry policy handles. */
export async function llmAttributes(config: WorkerConfig['llm'], reportName: string): Promise<Generation> {
  const content = await chat(
    config,
    'You write test attributes for regulatory report testing. Answer with a JSON array of objects {code, name, description}, nothing else.',
    `Report: ${reportName}. Give 3 to 8 test attributes.`,
  );
  const json = content.slice(content.indexOf('['), content.lastIndexOf(']') + 1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('LLM answer held no JSON array of attributes');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error('LLM answer held no attributes');
  const attributes = parsed.slice(0, 20).map((item, i) => {
    const a = item as Partial<GeneratedAttribute>;
    return {
      code: String(a.code ?? `L${String(i + 1).padStart(2, '0')}`).slice(0, 32),
      name: String(a.name ?? `Attribute ${i + 1}`).slice(0, 200),
      description: String(a.description ?? '').slice(0, 2000),
    };
  });
  return { generator: `llm:${config.model || 'gpt-4o-mini'}`, attributes };
}
