"""Writes the PyTorch-exported ONNX fixtures and their reference shapes (run with Debian's /usr/bin/python3:
torch 1.13, onnx 1.12). The expected values come from onnx.shape_inference (strict, data propagation),
independent of Slimboard's own shape inference: reference parity for lib/onnx/torch-parity.test.ts."""
import json
import onnx
import torch
from onnx import shape_inference

torch.manual_seed(0)


class TinyDetector(torch.nn.Module):
    """Stride-4 features, nearest upsample to the stride-2 map's *computed* size, concat, 1x1 head."""

    def __init__(self):
        super().__init__()
        self.a = torch.nn.Conv2d(3, 16, 3, 2, 1)
        self.b = torch.nn.Conv2d(16, 32, 3, 2, 1)
        self.c = torch.nn.Conv2d(48, 8, 1)

    def forward(self, x):
        a = torch.relu(self.a(x))
        b = torch.relu(self.b(a))
        u = torch.nn.functional.interpolate(b, size=a.shape[2:], mode='nearest')
        return self.c(torch.cat([a, u], 1))


class TinyMobileNet(torch.nn.Module):
    """Conv-BN-ReLU6, an inverted residual (expand, depthwise, project, add), global pool, Linear."""

    def __init__(self):
        super().__init__()
        bn = torch.nn.BatchNorm2d
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, 2, 1, bias=False), bn(8), torch.nn.ReLU6())
        self.expand = torch.nn.Sequential(torch.nn.Conv2d(8, 24, 1, bias=False), bn(24), torch.nn.ReLU6())
        self.dw = torch.nn.Sequential(torch.nn.Conv2d(24, 24, 3, 1, 1, groups=24, bias=False), bn(24), torch.nn.ReLU6())
        self.project = torch.nn.Sequential(torch.nn.Conv2d(24, 8, 1, bias=False), bn(8))
        self.fc = torch.nn.Linear(8, 10)

    def forward(self, x):
        s = self.stem(x)
        y = s + self.project(self.dw(self.expand(s)))
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(y, 1), 1))


def reference(path, sizes):
    out = {}
    for size in sizes:
        m = onnx.load(path)
        inits = {t.name: t for t in m.graph.initializer}
        d = m.graph.input[0].type.tensor_type.shape.dim
        d[0].dim_value = 1
        d[2].dim_value = size
        d[3].dim_value = size
        m = shape_inference.infer_shapes(m, strict_mode=True, data_prop=True)
        shapes = {v.name: [x.dim_value for x in v.type.tensor_type.shape.dim] for v in list(m.graph.value_info) + list(m.graph.output)}
        convs = []
        for n in m.graph.node:
            if n.op_type == 'Conv':
                w = list(inits[n.input[1]].dims)
                o = shapes[n.output[0]]
                convs.append({'name': n.name, 'output': o, 'macs': o[0] * o[1] * o[2] * o[3] * w[1] * w[2] * w[3]})
        out[str(size)] = {'convs': convs, 'convMacs': sum(c['macs'] for c in convs), 'outputs': {o.name: shapes[o.name] for o in m.graph.output}}
    return out


x = torch.randn(1, 3, 64, 64)
dyn = {'input': {0: 'N', 2: 'H', 3: 'W'}}
torch.onnx.export(TinyDetector().eval(), x, 'torch-tiny-detector-opset17.onnx', opset_version=17, input_names=['input'], output_names=['out'], dynamic_axes=dyn)
torch.onnx.export(TinyMobileNet().eval(), x, 'torch-tiny-mobilenet-opset11.onnx', opset_version=11, input_names=['input'], output_names=['logits'], dynamic_axes=dyn)
ref = {
    'torch-tiny-detector-opset17.onnx': reference('torch-tiny-detector-opset17.onnx', [224, 160]),
    'torch-tiny-mobilenet-opset11.onnx': reference('torch-tiny-mobilenet-opset11.onnx', [224, 160]),
}
with open('torch-reference-shapes.json', 'w') as f:
    json.dump(ref, f, indent=1)
print('ok')
