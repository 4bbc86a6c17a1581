#!/usr/bin/python3
"""Generate Slimboard's inference fixtures (deterministic; run with Debian's /usr/bin/python3,
torch 1.13 + onnx 1.12 + PIL):

    /usr/bin/python3 lib/inference/__fixtures__/make_fixtures.py

Writes, next to this script:
  shapes-coco/annotations.json + shapes-coco/images/*   a tiny COCO-format dataset: pure red, green and
      blue rectangles (categories 'red' id 1, 'green' id 3, 'blue' id 7) on black images of
      several sizes; at most one rectangle per colour per image.
  detector-decoded.onnx   adapter kind "decoded":   boxes [1,6,4] (x1,y1,x2,y2 input px) + scores [1,6,3]
  detector-paddle.onnx    adapter kind "paddle-nms": inputs image/im_shape/scale_factor, outputs
                          [N,6] (class, score, x1,y1,x2,y2 in ORIGINAL image px) + bbox_num [1]
  detector-yolo.onnx      adapter kind "yolo":       three raw YOLOv3 heads [1, 3*(5+3), S/s, S/s],
                          s = 32, 16, 8, PaddleDetection anchors/channel layout.
  not-a-detector.onnx     one seeded random Conv, output [1,4,H,W]: matches no adapter.

The detectors are REAL ONNX graphs, but hand-designed rather than trained: they find, per colour
channel c, the pixels where channel c > 0.5 and the other two sum to < 0.5, and box them
(first/last row and column). So on shapes-coco they are (almost) perfect detectors, which lets the
end-to-end tests check the whole pipeline (decode, resize/letterbox, normalisation, model, output
decoding, NMS, mapping back, category ids) against AP = 1.0 instead of against a random number.
"""
import json
import os

import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 13
BIG = 1.0e5
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
# PaddleDetection YOLOv3 anchors (input pixels) and masks per stride 32, 16, 8.
ANCHORS = [[10, 13], [16, 30], [33, 23], [30, 61], [62, 45], [59, 119], [116, 90], [156, 198], [373, 326]]
MASKS = [[6, 7, 8], [3, 4, 5], [0, 1, 2]]
STRIDES = [32, 16, 8]
NUM_CLASSES = 3


def colour_boxes(x):
    """x: [1,3,H,W] RGB in [0,1]. Returns boxes [1,3,4] (x1,y1,x2,y2; x2/y2 exclusive pixel edges,
    i.e. continuous coordinates) and present [1,3] (1.0 if the colour occurs)."""
    others = x.sum(1, keepdim=True) - x
    mask = ((x > 0.5) & (others < 0.5)).float()  # [1,3,H,W]
    rows = mask.amax(dim=3)  # [1,3,H]
    cols = mask.amax(dim=2)  # [1,3,W]
    iy = torch.cumsum(torch.ones_like(rows), dim=2) - 1.0  # 0..H-1 (dynamic-shape friendly)
    ix = torch.cumsum(torch.ones_like(cols), dim=2) - 1.0
    present = rows.amax(dim=2)  # [1,3]
    y1 = (iy + (1.0 - rows) * BIG).amin(dim=2)
    y2 = ((iy + 1.0) * rows).amax(dim=2)
    x1 = (ix + (1.0 - cols) * BIG).amin(dim=2)
    x2 = ((ix + 1.0) * cols).amax(dim=2)
    boxes = torch.stack([x1, y1, x2, y2], dim=2) * present.unsqueeze(2)
    return boxes, present


class DecodedDetector(torch.nn.Module):
    """Outputs every candidate twice: the exact box (score 0.9 for its class, 0.02 for the others)
    and a 1-px-shrunk duplicate (0.6 / 0.01), so that NMS has something to suppress."""

    def forward(self, image):
        boxes, present = colour_boxes(image)
        shrink = boxes + torch.tensor([1.0, 1.0, -1.0, -1.0]) * present.unsqueeze(2)
        eye = torch.eye(NUM_CLASSES).unsqueeze(0)
        s1 = (eye * 0.9 + (1 - eye) * 0.02) * present.unsqueeze(2)
        s2 = (eye * 0.6 + (1 - eye) * 0.01) * present.unsqueeze(2)
        return torch.cat([boxes, shrink], dim=1), torch.cat([s1, s2], dim=1)


class OnnxNms(torch.autograd.Function):
    """ONNX NonMaxSuppression (boxes [1,N,4], scores [1,1,N] -> selected [K,3] = (batch, class, box)),
    max 100 boxes, IoU 0.5, score threshold 0.5. The eager forward only serves tracing."""

    @staticmethod
    def forward(ctx, boxes, scores):
        idx = torch.nonzero(scores[0, 0] > 0.5).view(-1)
        z = torch.zeros_like(idx)
        return torch.stack([z, z, idx], dim=1)

    @staticmethod
    def symbolic(g, boxes, scores):
        max_out = g.op('Constant', value_t=torch.tensor([100], dtype=torch.int64))
        iou = g.op('Constant', value_t=torch.tensor([0.5], dtype=torch.float32))
        thr = g.op('Constant', value_t=torch.tensor([0.5], dtype=torch.float32))
        return g.op('NonMaxSuppression', boxes, scores, max_out, iou, thr, center_point_box_i=0)


class PaddleNmsDetector(torch.nn.Module):
    """Input normalised with ImageNet mean/std (PaddleDetection's NormalizeImage), stretched to SxS.
    scale_factor = [[S/h0, S/w0]] (y first, as PaddleDetection). Output rows in original pixels."""

    def forward(self, image, im_shape, scale_factor):
        mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        x = image * std + mean
        boxes, present = colour_boxes(x)
        b = boxes[0]  # [3,4]
        sy = scale_factor[0, 0]
        sx = scale_factor[0, 1]
        b = b / torch.stack([sx, sy, sx, sy])
        # Clip to the original image (im_shape / scale_factor), as PaddleDetection's post-processing does.
        h0 = im_shape[0, 0] / sy
        w0 = im_shape[0, 1] / sx
        b = torch.minimum(b, torch.stack([w0, h0, w0, h0]))
        scores = present[0] * 0.9
        # A real NonMaxSuppression in the graph, as PaddleDetection's exported multiclass_nms has
        # (score threshold 0.5 also drops the colours that are absent).
        selected = OnnxNms.apply(b.unsqueeze(0), scores.view(1, 1, NUM_CLASSES))
        keep = selected[:, 2]
        cls = torch.arange(NUM_CLASSES, dtype=torch.float32)
        rows = torch.cat([cls.unsqueeze(1), scores.unsqueeze(1), b], dim=1)[keep]  # [N,6]
        bbox_num = torch.zeros(1, dtype=torch.int32) + keep.shape[0]
        return rows, bbox_num


class YoloHeadsDetector(torch.nn.Module):
    """Raw YOLOv3 heads in PaddleDetection's layout: for anchor a, channels a*(5+C) + [tx, ty, tw, th,
    obj, cls_0..cls_{C-1}]. Decoding (PaddleDetection yolo_box, scale_x_y = 1):
    cx = (gx + sigmoid(tx)) * s, w = exp(tw) * anchor_w, score = sigmoid(obj) * sigmoid(cls).
    Every object is put in the cell containing its centre, on the first anchor of EVERY stride, so
    the same object comes out three times and NMS must merge them."""

    def forward(self, image):
        boxes, present = colour_boxes(image)  # [1,3,4], [1,3]
        cx = (boxes[..., 0] + boxes[..., 2]) / 2
        cy = (boxes[..., 1] + boxes[..., 3]) / 2
        w = torch.clamp(boxes[..., 2] - boxes[..., 0], min=1.0)
        h = torch.clamp(boxes[..., 3] - boxes[..., 1], min=1.0)
        outs = []
        for s, mask in zip(STRIDES, MASKS):
            pooled = F.avg_pool2d(image[:, :1], s)  # [1,1,gh,gw]
            gy = torch.cumsum(torch.ones_like(pooled), dim=2) - 1.0
            gx = torch.cumsum(torch.ones_like(pooled), dim=3) - 1.0
            cellx = torch.floor(cx / s).view(1, NUM_CLASSES, 1, 1)
            celly = torch.floor(cy / s).view(1, NUM_CLASSES, 1, 1)
            ind = ((gx == cellx) & (gy == celly)).float() * present.view(1, NUM_CLASSES, 1, 1)  # [1,3,gh,gw]
            fx = torch.clamp(cx / s - torch.floor(cx / s), 1e-4, 1 - 1e-4).view(1, NUM_CLASSES, 1, 1)
            fy = torch.clamp(cy / s - torch.floor(cy / s), 1e-4, 1 - 1e-4).view(1, NUM_CLASSES, 1, 1)
            aw, ah = ANCHORS[mask[0]]
            tw = torch.log(w / aw).view(1, NUM_CLASSES, 1, 1)
            th = torch.log(h / ah).view(1, NUM_CLASSES, 1, 1)
            tx = (ind * torch.log(fx / (1 - fx))).sum(1, keepdim=True)
            ty = (ind * torch.log(fy / (1 - fy))).sum(1, keepdim=True)
            twm = (ind * tw).sum(1, keepdim=True)
            thm = (ind * th).sum(1, keepdim=True)
            obj = ind.sum(1, keepdim=True) * 20.0 - 10.0
            cls = ind * 20.0 - 10.0
            first = torch.cat([tx, ty, twm, thm, obj, cls], dim=1)
            empty = torch.cat([pooled * 0.0] * 4 + [pooled * 0.0 - 10.0] * (1 + NUM_CLASSES), dim=1)
            outs.append(torch.cat([first, empty, empty], dim=1))
        return tuple(outs)


def export(model, args, path, input_names, output_names, dynamic_axes):
    torch.onnx.export(model, args, path, opset_version=OPSET, input_names=input_names,
                      output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=True)
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    m.producer_name = 'slimboard make_fixtures.py'
    m.producer_version = '1'
    onnx.save(m, path)
    print(f'wrote {os.path.relpath(path, HERE)} ({os.path.getsize(path)} bytes)')


def make_dataset():
    root = os.path.join(HERE, 'shapes-coco')
    os.makedirs(os.path.join(root, 'images'), exist_ok=True)
    colours = {0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 255)}
    cat_ids = [1, 3, 7]
    # (file, width, height, [(class, x, y, w, h)]) with x,y,w,h in whole pixels.
    specs = [
        ('a.png', 200, 150, [(0, 20, 30, 60, 40), (2, 120, 70, 50, 60), (1, 150, 10, 20, 20)]),
        ('b.png', 160, 240, [(1, 10, 10, 100, 80), (0, 40, 140, 70, 70)]),
        ('c.png', 256, 256, [(0, 8, 8, 90, 90), (1, 150, 20, 80, 50), (2, 100, 160, 120, 80)]),
        ('d.png', 120, 90, []),
        ('e.jpg', 300, 200, [(2, 30, 40, 110, 120), (1, 180, 60, 90, 100)]),
        ('f.png', 96, 128, [(1, 20, 30, 50, 60)]),
    ]
    images, annotations = [], []
    for i, (name, w, h, objs) in enumerate(specs):
        im = Image.new('RGB', (w, h), (0, 0, 0))
        px = im.load()
        for (c, x, y, bw, bh) in objs:
            for yy in range(y, y + bh):
                for xx in range(x, x + bw):
                    px[xx, yy] = colours[c]
            annotations.append({'id': len(annotations) + 1, 'image_id': 100 + i, 'category_id': cat_ids[c],
                                'bbox': [x, y, bw, bh], 'area': bw * bh, 'iscrowd': 0})
        path = os.path.join(root, 'images', name)
        if name.endswith('.jpg'):
            im.save(path, quality=95)
        else:
            im.save(path, optimize=True)
        images.append({'id': 100 + i, 'file_name': name, 'width': w, 'height': h})
    cats = [{'id': cid, 'name': n, 'supercategory': 'colour'} for cid, n in zip(cat_ids, ['red', 'green', 'blue'])]
    with open(os.path.join(root, 'annotations.json'), 'w') as f:
        json.dump({'images': images, 'annotations': annotations, 'categories': cats}, f, indent=1)
    print(f'wrote shapes-coco ({len(images)} images, {len(annotations)} boxes)')


def main():
    torch.manual_seed(0)
    make_dataset()
    s = 64
    img = torch.zeros(1, 3, s, s)
    img[:, 0, 8:20, 10:30] = 1.0
    dyn = {'image': {2: 'height', 3: 'width'}}
    export(DecodedDetector().eval(), (img,), os.path.join(HERE, 'detector-decoded.onnx'), ['image'],
           ['boxes', 'scores'], dyn)
    norm = (img - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    export(PaddleNmsDetector().eval(), (norm, torch.tensor([[64.0, 64.0]]), torch.tensor([[1.0, 1.0]])),
           os.path.join(HERE, 'detector-paddle.onnx'), ['image', 'im_shape', 'scale_factor'],
           ['multiclass_nms3_0.tmp_0', 'multiclass_nms3_0.tmp_2'],
           {'image': {2: 'height', 3: 'width'}, 'multiclass_nms3_0.tmp_0': {0: 'num_boxes'}})
    export(YoloHeadsDetector().eval(), (img,), os.path.join(HERE, 'detector-yolo.onnx'), ['image'],
           ['head_s32', 'head_s16', 'head_s8'], dyn)
    # Not a detector: one convolution, output [1, 4, H, W] matches no adapter (error-path tests).
    conv = torch.nn.Conv2d(3, 4, 3, padding=1)
    export(conv.eval(), (img,), os.path.join(HERE, 'not-a-detector.onnx'), ['image'], ['features'],
           {'image': {2: 'height', 3: 'width'}, 'features': {2: 'height', 3: 'width'}})


if __name__ == '__main__':
    main()
