import type { INodeProperties } from 'n8n-workflow';

/**
 * A form's fields, as n8n's Form node and its Send and Wait nodes define them (same names, same
 * element types and options, so a form copied between them works): Define Form, Form Fields
 * (JSON) or Form Elements. File fields are not offered (see sendAndWait/formFields.ts).
 */

const EXAMPLE_JSON = `[
  {
    "fieldLabel": "Reason",
    "fieldType": "textarea",
    "requiredField": true
  },
  {
    "fieldLabel": "Amount",
    "fieldType": "number"
  },
  {
    "fieldLabel": "Priority",
    "fieldType": "dropdown",
    "fieldOptions": { "values": [{ "option": "Normal" }, { "option": "Urgent" }] },
    "requiredField": true
  }
]`;

const choiceOptions = (displayName: string, placeholder: string, optionName: string, fieldType: string): INodeProperties => ({
	displayName,
	name: 'fieldOptions',
	placeholder,
	type: 'fixedCollection',
	default: { values: [{ option: '' }] },
	required: true,
	displayOptions: { show: { fieldType: [fieldType] } },
	typeOptions: { multipleValues: true, sortable: true },
	options: [{ displayName: 'Values', name: 'values', values: [{ displayName: optionName, name: 'option', type: 'string', default: '' }] }],
});

const selectionLimits: INodeProperties[] = [
	{
		displayName: 'Limit Selection',
		name: 'limitSelection',
		type: 'options',
		default: 'unlimited',
		options: [
			{ name: 'Exact Number', value: 'exact' },
			{ name: 'Range', value: 'range' },
			{ name: 'Unlimited', value: 'unlimited' },
		],
		displayOptions: { show: { fieldType: ['checkbox'] } },
	},
	{
		displayName: 'Number of Selections',
		name: 'numberOfSelections',
		type: 'number',
		default: 1,
		typeOptions: { numberPrecision: 0, minValue: 1 },
		displayOptions: { show: { fieldType: ['checkbox'], limitSelection: ['exact'] } },
	},
	{
		displayName: 'Minimum Selections',
		name: 'minSelections',
		type: 'number',
		default: 0,
		typeOptions: { numberPrecision: 0, minValue: 0 },
		displayOptions: { show: { fieldType: ['checkbox'], limitSelection: ['range'] } },
	},
	{
		displayName: 'Maximum Selections',
		name: 'maxSelections',
		type: 'number',
		default: 1,
		typeOptions: { numberPrecision: 0, minValue: 1 },
		displayOptions: { show: { fieldType: ['checkbox'], limitSelection: ['range'] } },
	},
];

const formElement: INodeProperties[] = [
	{
		displayName: 'Field Name',
		name: 'fieldLabel',
		type: 'string',
		default: '',
		placeholder: 'e.g. What is your name?',
		description: 'Label that appears above the input field; it also names the answer in the output',
		required: true,
		displayOptions: { hide: { fieldType: ['hiddenField', 'html'] } },
	},
	{
		displayName: 'Field Name',
		name: 'fieldName',
		type: 'string',
		default: '',
		description: 'The name of the hidden field, which names its value in the output',
		displayOptions: { show: { fieldType: ['hiddenField'] } },
	},
	{
		displayName: 'Element Type',
		name: 'fieldType',
		type: 'options',
		default: 'text',
		description: 'The type of field to add to the form',
		options: [
			{ name: 'Checkboxes', value: 'checkbox' },
			{ name: 'Custom HTML', value: 'html', description: 'Shown as text: tags are removed' },
			{ name: 'Date', value: 'date' },
			{ name: 'Dropdown', value: 'dropdown' },
			{ name: 'Email', value: 'email' },
			{ name: 'Hidden Field', value: 'hiddenField' },
			{ name: 'Number', value: 'number' },
			{ name: 'Password', value: 'password' },
			{ name: 'Radio Buttons', value: 'radio' },
			{ name: 'Text', value: 'text' },
			{ name: 'Textarea', value: 'textarea' },
		],
		required: true,
	},
	{
		displayName: 'Element Name',
		name: 'elementName',
		type: 'string',
		default: '',
		placeholder: 'e.g. content-section',
		description: 'Optional: the name under which the text is included in the output',
		displayOptions: { show: { fieldType: ['html'] } },
	},
	{
		displayName: 'Placeholder',
		name: 'placeholder',
		type: 'string',
		default: '',
		description: 'Sample text to display inside the field',
		displayOptions: { hide: { fieldType: ['dropdown', 'date', 'html', 'hiddenField', 'radio', 'checkbox'] } },
	},
	{
		displayName: 'Default Value',
		name: 'defaultValue',
		type: 'string',
		default: '',
		description: 'Value filled in when the form opens (a date as YYYY-MM-DD; for choices, the option labels, separated by commas)',
		displayOptions: { show: { fieldType: ['text', 'number', 'email', 'textarea', 'date', 'dropdown', 'radio', 'checkbox'] } },
	},
	{
		displayName: 'Field Value',
		name: 'fieldValue',
		type: 'string',
		default: '',
		description: 'The value of the hidden field',
		displayOptions: { show: { fieldType: ['hiddenField'] } },
	},
	choiceOptions('Field Options', 'Add Field Option', 'Option', 'dropdown'),
	choiceOptions('Checkboxes', 'Add Checkbox', 'Checkbox Label', 'checkbox'),
	choiceOptions('Radio Buttons', 'Add Radio Button', 'Radio Button Label', 'radio'),
	...selectionLimits,
	{
		displayName: 'HTML',
		name: 'html',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'Shown on the form as text (tags are removed)',
		displayOptions: { show: { fieldType: ['html'] } },
	},
	{
		displayName: 'Required Field',
		name: 'requiredField',
		type: 'boolean',
		default: false,
		description: 'Whether to require the user to enter a value for this field before submitting the form',
		displayOptions: { hide: { fieldType: ['html', 'hiddenField'] } },
	},
];

export const formFieldsProperties: INodeProperties[] = [
	{
		displayName: 'Define Form',
		name: 'defineForm',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Using Fields Below', value: 'fields' },
			{ name: 'Using JSON', value: 'json' },
		],
		default: 'fields',
	},
	{
		displayName: 'Form Fields',
		name: 'jsonOutput',
		type: 'json',
		typeOptions: { rows: 5 },
		default: EXAMPLE_JSON,
		hint: 'The fields as n8n\'s Form node takes them: fieldLabel, fieldType, requiredField, fieldOptions, …',
		displayOptions: { show: { defineForm: ['json'] } },
	},
	{
		displayName: 'Form Elements',
		name: 'formFields',
		placeholder: 'Add Form Element',
		type: 'fixedCollection',
		default: {},
		typeOptions: { multipleValues: true, sortable: true },
		displayOptions: { show: { defineForm: ['fields'] } },
		options: [{ displayName: 'Values', name: 'values', values: formElement }],
	},
];
