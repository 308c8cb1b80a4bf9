import { describe, expect, it } from 'vitest';
import { md5OfMessageAttributes, queueNameFromUrl } from '../../../../src/local/edge/sqs.ts';

describe('md5OfMessageAttributes', () => {
  // Expected digests are published ones: the aws-md5-of-message-attributes package's examples and a value
  // recorded from AWS itself (LocalStack's SQS snapshot for a Binary attribute).
  it('digests a String attribute as AWS does', () => {
    const digest = md5OfMessageAttributes({
      attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
    });

    expect(digest).toBe('19e27d4e946b072f3f58da80d94fd778');
  });

  it('digests a Number attribute with a custom type suffix as a string transport', () => {
    const digest = md5OfMessageAttributes({
      customNumberTypeAttrib: {
        DataType: 'Number.float',
        StringValue: '4563442423554324324264524243.32543234',
      },
    });

    expect(digest).toBe('9fe1b90bbd9965bdf77bac517c7d2495');
  });

  it('digests a Binary attribute from its decoded bytes', () => {
    const binaryValue = Buffer.from('Hello binary world!').toString('base64');

    const digest = md5OfMessageAttributes({
      binaryAttribute: { DataType: 'Binary', BinaryValue: binaryValue },
    });

    expect(digest).toBe('31a92b15d92f8db860eda32aceb656c3');
  });

  it('matches a digest AWS returned for a Binary attribute', () => {
    const bytes = Buffer.from(
      'traceparent\u001e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01',
      'utf8',
    );

    const digest = md5OfMessageAttributes({
      attr1: { DataType: 'Binary', BinaryValue: bytes.toString('base64') },
    });

    expect(digest).toBe('8cbe4db156db8a94db8b801b7addb984');
  });

  it('sorts attributes by name, whatever order they come in', () => {
    // prepare
    const binaryValue = Buffer.from('Hello binary world!').toString('base64');
    const attributes = {
      customNumberTypeAttrib: {
        DataType: 'Number.float',
        StringValue: '4563442423554324324264524243.32543234',
      },
      binaryAttribute: { DataType: 'Binary', BinaryValue: binaryValue },
      attribName1: { DataType: 'String', StringValue: 'attribValue 1' },
    };

    // act
    const digest = md5OfMessageAttributes(attributes);

    // assess
    expect(digest).toBe('c932db14a896c663f83c260297d594ff');
  });
});

describe('queueNameFromUrl', () => {
  it('takes the last path segment whatever the host', () => {
    expect(queueNameFromUrl('https://sqs.eu-west-1.amazonaws.com/123456789012/orders')).toBe('orders');
    expect(queueNameFromUrl('http://localhost:4566/000000000000/jobs.fifo/')).toBe('jobs.fifo');
    expect(queueNameFromUrl('000000000000/plain')).toBe('plain');
  });
});
