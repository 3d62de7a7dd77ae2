//! The `Conditions` section: each condition evaluated once, from parameter values.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::TemplateError;
use crate::intrinsics::{as_call, fixed_args, Context, Evaluator, Function};
use crate::location::Location;
use crate::template::Template;

/// Evaluates every declared condition (whether used or not, as CloudFormation does, so a broken
/// one is reported even when nothing uses it yet).
pub(crate) fn evaluate_conditions(
    template: &Template,
    parameters: &BTreeMap<String, Value>,
) -> Result<BTreeMap<String, bool>, TemplateError> {
    let mut evaluation = ConditionEvaluation {
        template,
        parameters,
        done: BTreeMap::new(),
        in_progress: Vec::new(),
    };
    for name in template.conditions.keys() {
        evaluation.condition(name, &Location::root().key("Conditions"))?;
    }
    Ok(evaluation.done)
}

struct ConditionEvaluation<'a> {
    template: &'a Template,
    parameters: &'a BTreeMap<String, Value>,
    done: BTreeMap<String, bool>,
    /// The conditions being evaluated, outermost first (to report cycles).
    in_progress: Vec<String>,
}

impl ConditionEvaluation<'_> {
    fn condition(&mut self, name: &str, location: &Location) -> Result<bool, TemplateError> {
        if let Some(value) = self.done.get(name) {
            return Ok(*value);
        }
        if let Some(start) = self.in_progress.iter().position(|n| n == name) {
            let mut cycle = self.in_progress[start..].to_vec();
            cycle.push(name.to_owned());
            return Err(TemplateError::ConditionCycle { cycle });
        }
        let Some(expression) = self.template.conditions.get(name) else {
            return Err(TemplateError::UnknownCondition {
                name: name.to_owned(),
                location: location.clone(),
            });
        };
        self.in_progress.push(name.to_owned());
        let value = self.expression(expression, &Location::root().key("Conditions").key(name))?;
        self.in_progress.pop();
        self.done.insert(name.to_owned(), value);
        Ok(value)
    }

    fn expression(
        &mut self,
        expression: &Value,
        location: &Location,
    ) -> Result<bool, TemplateError> {
        if let Value::Object(map) = expression {
            if let (1, Some(Value::String(name))) = (map.len(), map.get("Condition")) {
                return self.condition(name, &location.key("Condition"));
            }
        }
        let Some((name, argument)) = as_call(expression) else {
            return Err(TemplateError::invalid(
                location,
                "a condition is Fn::Equals, Fn::Not, Fn::And, Fn::Or or {Condition: Name}",
            ));
        };
        let function = Function::named(name, location)?;
        let location = location.key(name);
        match function {
            Function::Equals => {
                let [left, right] = fixed_args(function, argument, 2, &location)? else {
                    unreachable!("fixed_args returned two items")
                };
                let evaluator = Evaluator {
                    template: self.template,
                    parameters: self.parameters,
                    conditions: &BTreeMap::new(),
                    created: &BTreeMap::new(),
                    context: Context::Conditions,
                };
                let left = evaluator.resolve(left, &location.index(0))?;
                let right = evaluator.resolve(right, &location.index(1))?;
                Ok(left.as_ref().map(normalise) == right.as_ref().map(normalise))
            }
            Function::Not => {
                let [operand] = fixed_args(function, argument, 1, &location)? else {
                    unreachable!("fixed_args returned one item")
                };
                Ok(!self.expression(operand, &location.index(0))?)
            }
            Function::And | Function::Or => {
                let operands = match argument {
                    Value::Array(items) if (2..=10).contains(&items.len()) => items,
                    _ => {
                        return Err(TemplateError::invalid_intrinsic(
                            name,
                            &location,
                            "expected a list of 2 to 10 conditions",
                        ))
                    }
                };
                // Every operand is evaluated (no short circuit) so that an error in any of them
                // is reported whatever the others hold.
                let mut values = Vec::with_capacity(operands.len());
                for (i, operand) in operands.iter().enumerate() {
                    values.push(self.expression(operand, &location.index(i))?);
                }
                Ok(if function == Function::And {
                    values.iter().all(|v| *v)
                } else {
                    values.iter().any(|v| *v)
                })
            }
            _ => Err(TemplateError::invalid_intrinsic(
                name,
                &location,
                "not a condition function",
            )),
        }
    }
}

/// Values compared by `Fn::Equals`: scalars as text (`"7"` equals `7`, `"true"` equals `true`).
fn normalise(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        other => other.clone(),
    }
}
