// An emerald cove: dark green headlands framing jade-green water that pales to mint over a sandy shore.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f3e6');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // pale sky
  const sky = [];
  for (let x = -300; x <= 300; x += 30) sky.push([x, -300]);
  for (let x = 300; x >= -300; x -= 30) sky.push([x, -150 + 10 * sin(x * 1.4)]);
  brush.fill('#bcd9cf', 230);
  brush.fillBleed(0.3);
  brush.fillTexture(0.4, 0.3);
  brush.polygon(sky);

  // water: deep emerald at the horizon to mint at the shore
  const water = [['#1f6b4e', -110, 250], ['#2f8f63', -40, 245], ['#5bb48a', 50, 235], ['#9ad5b2', 120, 220]];
  for (const [c, y0, op] of water) {
    const pts = [];
    for (let x = -300; x <= 300; x += 30) pts.push([x, y0 + 6 * sin(x * 2 + y0) + (y0 > 0 ? 0.0006 * x * x * 40 : 0)]);
    pts.push([300, 300], [-300, 300]);
    brush.fill(c, op);
    brush.fillBleed(0.15);
    brush.fillTexture(0.5, 0.3);
    brush.polygon(pts);
  }
  // sandy shore, curved
  const sand = [];
  for (let x = -300; x <= 300; x += 30) sand.push([x, 190 - 40 * cos(x * 0.5)]);
  sand.push([300, 300], [-300, 300]);
  brush.fill('#e8d2a0', 255);
  brush.fillBleed(0.1);
  brush.polygon(sand);
  brush.set('2B', '#fbfbf4', 2);
  brush.noFill();
  brush.spline(sand.slice(0, 21).map(([x, y]) => [x, y - 6]), 0.5);
  brush.noStroke();

  // headlands
  brush.fill('#24502f', 255);
  brush.fillBleed(0.08);
  brush.fillTexture(0.55, 0.35);
  const left = [[-300, -170], [-220, -160], [-150, -120], [-110, -60], [-130, 20], [-200, 110], [-300, 160]];
  const right = [[300, -160], [210, -150], [140, -110], [110, -50], [140, 10], [210, 90], [300, 130]];
  brush.polygon(left); brush.polygon(left);
  brush.polygon(right); brush.polygon(right);
  brush.fill('#5f8f45', 235);
  brush.polygon([[-300, -170], [-220, -160], [-150, -120], [-200, -110], [-300, -120]]);
  brush.polygon([[300, -160], [210, -150], [140, -110], [210, -100], [300, -110]]);
  // surf around the rocks
  brush.set('2B', '#eef7f0', 1.6);
  brush.spline([[-120, -40], [-100, 0], [-125, 40], [-180, 100]], 0.6);
  brush.spline([[118, -40], [125, 10], [180, 70]], 0.6);
}
